"""Load the builtin Korean and English word packs (every Quick, Draw! category)."""

from django.db import migrations


def load(apps, schema_editor):
    from game.wordpack_import import import_builtin_packs

    import_builtin_packs(
        pack_model=apps.get_model("game", "WordPack"), word_model=apps.get_model("game", "Word")
    )


class Migration(migrations.Migration):
    dependencies = [("game", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
