from django.core.management.base import BaseCommand

from mammapoli.demo.loader import demo_definition, demo_otp_code


class Command(BaseCommand):
    help = ("Print the second-factor code every demo user's authenticator shows now (the demo secret of "
            "fixtures/demo_clinic.json); it changes every 30 seconds and each code logs in once per user.")

    def handle(self, *args, **options):
        self.stdout.write(demo_otp_code(demo_definition()["otp_secret"]))
