from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run one queued strategy training, backtest or walk-forward in this process (the embedded default's worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run_id", type=int)

    def handle(self, *args: object, run_id: int, **options: object) -> None:
        from strategies.rl.runs import execute_run

        execute_run(run_id=run_id)
        self.stdout.write(f"run {run_id} finished")
