"""The old plain-text API tokens (rest_framework.authtoken) are dropped with their table."""

import importlib

import pytest
from django.db import connection

drop = importlib.import_module("mammapoli.accounts.migrations.0001_drop_plaintext_api_tokens")


@pytest.mark.django_db(transaction=True)
def test_the_plaintext_token_table_is_dropped():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', 1)")
    with connection.schema_editor() as editor:
        drop.drop_plaintext_tokens(None, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.schema_editor() as editor:
        drop.drop_plaintext_tokens(None, editor)  # a database that never had it: nothing to do
