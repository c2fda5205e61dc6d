"""The API tokens of rest_framework.authtoken were kept in plain text and never expired; knox
replaces them (hashed, expiring). Their table goes, so no old token works or can be read."""

from django.db import migrations

OLD_TABLE = "authtoken_token"


def drop_plaintext_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {connection.ops.quote_name(OLD_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("knox", "0009_extend_authtoken_field")]

    operations = [migrations.RunPython(drop_plaintext_tokens, migrations.RunPython.noop, elidable=False)]
