"""PostgreSQL's JIT compilation is off on the app's connections unless DB_JIT says
otherwise (settings.py): compiling a page's statement cost more than running it."""

from unittest import skipUnless

from django.db import connection
from django.test import SimpleTestCase

from wenzheng.testing import CastTestCase


@skipUnless(connection.vendor == "postgresql", "PostgreSQL's JIT")
class JitTest(CastTestCase):
    def test_the_apps_connections_compile_nothing(self):
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            self.assertEqual(cursor.fetchone()[0], "off")


class JitSettingTest(SimpleTestCase):
    def settings_with(self, **env):
        import importlib
        import os
        from unittest import mock

        with mock.patch.dict(os.environ, {"DATABASE_URL": "postgres://u@h/db?options=-c%20work_mem%3D8MB", **env}):
            import wenzheng.settings as module

            try:
                return importlib.reload(module).DATABASES["default"]["OPTIONS"]
            finally:
                importlib.reload(module)

    def test_off_by_default_beside_the_urls_own_options(self):
        self.assertEqual(self.settings_with()["options"], "-c work_mem=8MB -c jit=off")

    def test_db_jit_leaves_postgresqls_own_setting(self):
        self.assertEqual(self.settings_with(DB_JIT="true")["options"], "-c work_mem=8MB")
