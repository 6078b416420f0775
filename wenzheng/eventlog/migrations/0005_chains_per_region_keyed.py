"""One chain per county (or city), each keyed (HMAC), in place of the single keyless
chain: what a deployment's existing log becomes, once.

The old chain is verified first, keyless as it was written; a broken chain stops the
migration (re-chaining it would launder the edit: restore a backup instead). Then each
event moves, in its old order, to the chain of its message's or unit's region with a
new number there and an HMAC made with EVENT_CHAIN_KEY, marked format 1 (it carries
no row ids, so `verify_events --replay` cannot rebuild from it). Each new chain ends
with a `chain_migrated` event recording the old chain's head, so the step itself is
on the record.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

from wenzheng.eventlog import hashing, triggers

GENESIS = hashing.GENESIS_HASH
BATCH = 5000


def suspend(apps, schema_editor):
    triggers.run(schema_editor.connection, install=False)


def reinstall(apps, schema_editor):
    triggers.run(schema_editor.connection, install=True)


class LegacyChainBroken(RuntimeError):
    pass


def _verify_legacy(Event, ChainHead) -> list[tuple[int, int]]:
    """(event id, region id) of every event in the old chain's order, once the old
    chain has verified."""
    order, prev, expected = [], GENESIS, 1
    rows = Event.objects.order_by("seq").values_list(
        "pk", "seq", "at", "kind", "actor_id", "actor_role", "message_id", "unit_id", "note", "data",
        "prev_hash", "hash", "message__region_id", "unit__region_id",
    )  # fmt: skip
    for pk, seq, at, kind, actor, role, message, unit, note, data, prev_hash, digest, m_region, u_region in rows:
        legacy = hashing.legacy_hash(
            seq=seq, at=at, kind=kind, actor=actor, actor_role=role, message=message, unit=unit, note=note,
            data=data, prev_hash=prev_hash,
        )  # fmt: skip
        if seq != expected or prev_hash != prev or legacy != digest:
            raise LegacyChainBroken(
                f"The event log is broken at event #{seq} (expected #{expected}): it was altered before this "
                "upgrade. Re-chaining it would hide that; restore a backup taken before the alteration, or "
                "investigate with the previous version's `manage.py verify_events`."
            )
        region = m_region or u_region
        if region is None:
            raise LegacyChainBroken(f"Event #{seq} names neither a message nor a unit: no county chain to move it to.")
        order.append((pk, region))
        prev, expected = digest, expected + 1
    head = ChainHead.objects.filter(region__isnull=True).first()
    last = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    if last != (expected - 1, prev):
        raise LegacyChainBroken(
            f"The event log's head records #{last[0]} but the chain ends at #{expected - 1}: it was cut before "
            "this upgrade. Restore a backup taken before that."
        )
    return order


# The records the old events made without naming them: replay leaves rows up to these
# ids out of its comparison (it cannot rebuild them), and checks every row after.
RECORD_TABLES = (
    "units_rosterfiling",
    "supervision_writtenexplanationorder",
    "supervision_supervisionfinding",
    "supervision_exposure",
    "evaluation_bulletinrow",
)


def _last_ids(connection) -> dict:
    present = set(connection.introspection.table_names())
    last = {}
    with connection.cursor() as cursor:
        for table in RECORD_TABLES:
            if table in present:
                cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 (our own table names)
                last[table] = cursor.fetchone()[0] or 0
    return last


def rechain(apps, schema_editor):
    Event = apps.get_model("eventlog", "Event")
    ChainHead = apps.get_model("eventlog", "ChainHead")
    order = _verify_legacy(Event, ChainHead)
    old = ChainHead.objects.filter(region__isnull=True).first()
    old_head = [old.last_seq, old.last_hash] if old else [0, GENESIS]
    # Gone before the new heads are made: it was created with an explicit id (1), which
    # PostgreSQL's sequence never handed out and would hand to the first new head.
    ChainHead.objects.filter(region__isnull=True).delete()
    key = hashing.current_key()
    kid = hashing.key_id(key)
    heads = {}
    fields = ("pk", "at", "kind", "actor_id", "actor_role", "message_id", "unit_id", "note", "data")
    sql = "UPDATE eventlog_event SET chain_id = %s, seq = %s, version = 1, prev_hash = %s, hash = %s WHERE id = %s"
    with schema_editor.connection.cursor() as cursor:
        for start in range(0, len(order), BATCH):
            part = order[start : start + BATCH]
            rows = {r[0]: r for r in Event.objects.filter(pk__in=[pk for pk, _ in part]).values_list(*fields)}
            updates = []
            for pk, region in part:
                head = heads.get(region)
                if head is None:
                    head = heads[region] = ChainHead.objects.create(region_id=region, key_id=kid)
                _, at, kind, actor, role, message, unit, note, data = rows[pk]
                seq = head.last_seq + 1
                body = hashing.payload(
                    version=1, chain=head.pk, seq=seq, at=at, kind=kind, actor=actor, actor_role=role,
                    message=message, unit=unit, note=note, data=data, prev_hash=head.last_hash,
                )  # fmt: skip
                digest = hashing.sign(key, body)
                updates.append((head.pk, seq, head.last_hash, digest, pk))
                head.last_seq, head.last_hash = seq, digest
            cursor.executemany(sql, updates)
    now = timezone.now()
    legacy_rows = _last_ids(schema_editor.connection)
    for head in heads.values():
        data = hashing.stored({"legacy_head": old_head, "events": head.last_seq, "legacy_rows": legacy_rows})
        event = Event(
            chain_id=head.pk, seq=head.last_seq + 1, version=hashing.VERSION, at=now, kind="chain_migrated",
            actor_id=None, actor_role="system", message_id=None, unit_id=None,
            note="办理记录改为按县（区）分链并以密钥签名", data=data, prev_hash=head.last_hash,
        )  # fmt: skip
        body = hashing.payload(
            version=event.version, chain=head.pk, seq=event.seq, at=now, kind=event.kind, actor=None,
            actor_role="system", message=None, unit=None, note=event.note, data=data, prev_hash=event.prev_hash,
        )  # fmt: skip
        event.hash = hashing.sign(key, body)
        event.save(force_insert=True)
        head.last_seq, head.last_hash = event.seq, event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    if schema_editor.connection.vendor == "postgresql":
        # Check the deferred foreign keys of the rows just written now: PostgreSQL will
        # not alter a table with checks still pending in the transaction.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("eventlog", "0004_kinds_for_reassign_signoff_revisits"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(suspend, reinstall),
        migrations.RemoveConstraint(model_name="chainhead", name="chainhead_singleton"),
        migrations.AddField(
            model_name="chainhead",
            name="region",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="event_chain",
                to="units.region",
                verbose_name="区域",
            ),
        ),
        migrations.AddField(
            model_name="chainhead",
            name="key_id",
            field=models.CharField(default="", max_length=16, verbose_name="密钥标识"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="event",
            name="chain",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="eventlog.chainhead",
                verbose_name="记录链",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="格式"),
        ),
        migrations.AlterField(
            model_name="event",
            name="seq",
            field=models.PositiveBigIntegerField(verbose_name="序号"),
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="version",
            field=models.PositiveSmallIntegerField(default=2, verbose_name="格式"),
        ),
        migrations.AlterField(
            model_name="event",
            name="chain",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="eventlog.chainhead",
                verbose_name="记录链",
            ),
        ),
        migrations.AlterField(
            model_name="chainhead",
            name="region",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="event_chain",
                to="units.region",
                verbose_name="区域",
            ),
        ),
        migrations.AlterModelOptions(
            name="chainhead",
            options={"ordering": ["pk"], "verbose_name": "办理记录链", "verbose_name_plural": "办理记录链"},
        ),
        migrations.AlterModelOptions(
            name="event",
            options={"ordering": ["chain", "seq"], "verbose_name": "办理记录", "verbose_name_plural": "办理记录"},
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="event_seq_once_per_chain"),
        ),
        migrations.AlterField(
            model_name="event",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "网民留言"),
                    ("dispatched", "交办"),
                    ("transfer_requested", "申请退单"),
                    ("transfer_rejected", "退单不予同意"),
                    ("responded", "签收回应"),
                    ("replied", "回复"),
                    ("extension_requested", "申请延期"),
                    ("extension_approved", "同意延期"),
                    ("extension_rejected", "不同意延期"),
                    ("closed", "办结"),
                    ("long_cycle_requested", "申请长周期办结"),
                    ("long_cycle_approved", "同意长周期办结"),
                    ("long_cycle_rejected", "不同意长周期办结"),
                    ("reopened", "重办"),
                    ("followed_up", "网民追问"),
                    ("rated", "网民评价"),
                    ("supervision_flagged", "督办"),
                    ("explanation_ordered", "责成书面说明"),
                    ("explanation_recorded", "收到书面说明"),
                    ("finding_recorded", "督查结果"),
                    ("exposure_published", "曝光"),
                    ("accountability_referred", "追究责任"),
                    ("roster_filed", "名单上报"),
                    ("deadline_recomputed", "期限重新核定"),
                    ("stage_rejudged", "按新录入的节假日重新判定"),
                    ("bulletin_imported", "导入市通报"),
                    ("bulletin_published", "发布通报"),
                    ("results_published", "公布考评结果"),
                    ("chain_migrated", "办理记录链升级"),
                ],
                max_length=30,
                verbose_name="事项",
            ),
        ),
        migrations.RunPython(reinstall, suspend),
    ]
