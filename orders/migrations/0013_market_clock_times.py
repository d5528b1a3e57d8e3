"""Orders, positions, conditions and accounts are stamped by the market clock (market.fields).

Only the field class changes; rows written before keep the wall times they were stamped with.
"""


import market.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0012_korean_help_texts'),
    ]

    operations = [
        migrations.AlterField(
            model_name='account',
            name='created_at',
            field=market.fields.MarketTimeField(auto_now_add=True, verbose_name='개설 시각'),
        ),
        migrations.AlterField(
            model_name='condition',
            name='created_at',
            field=market.fields.MarketTimeField(auto_now_add=True, verbose_name='생성 시각'),
        ),
        migrations.AlterField(
            model_name='condition',
            name='updated_at',
            field=market.fields.MarketTimeField(auto_now=True, verbose_name='수정 시각'),
        ),
        migrations.AlterField(
            model_name='order',
            name='created_at',
            field=market.fields.MarketTimeField(auto_now_add=True, verbose_name='주문 시각'),
        ),
        migrations.AlterField(
            model_name='order',
            name='updated_at',
            field=market.fields.MarketTimeField(auto_now=True, verbose_name='수정 시각'),
        ),
        migrations.AlterField(
            model_name='position',
            name='updated_at',
            field=market.fields.MarketTimeField(auto_now=True, verbose_name='수정 시각'),
        ),
    ]
