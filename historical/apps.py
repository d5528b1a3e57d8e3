from django.apps import AppConfig


class HistoricalConfig(AppConfig):
    name = "historical"
