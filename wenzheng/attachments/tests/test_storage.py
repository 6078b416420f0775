"""Where the files are kept: a local folder by default, an S3-compatible store when
the settings say so. The store is a fake one on the loopback (fake_s3): no test
calls an outside service."""

import io
import json
import os
import subprocess
import sys
import tempfile

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.test import override_settings
from PIL import Image

from wenzheng.attachments import backup
from wenzheng.attachments.models import Attachment, storage
from wenzheng.attachments.testing import GPS_IFD, phone_photo
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase

from .fake_s3 import FakeS3

# Run in a fresh interpreter under a given environment: the attachments storage as
# the settings make it, and what it does against the store.
PROBE = """
import json, django
django.setup()
from wenzheng.attachments.models import storage
from django.core.files.base import ContentFile
s = storage()
out = {"class": type(s).__name__}
for key in ("bucket_name", "endpoint_url", "region_name", "access_key", "secret_key", "default_acl",
            "location", "file_overwrite", "addressing_style"):
    out[key] = getattr(s, key, None)
if s.__class__.__name__ == "FileSystemStorage":
    out["location"] = s.location
else:
    name = s.save("attachments/2026/11/probe.jpg", ContentFile(b"photo bytes"))
    out["saved"] = name
    out["read"] = s.open(name, "rb").read().decode()
    out["listed"] = s.listdir("attachments/2026/11")
    s.delete(name)
    out["exists_after_delete"] = s.exists(name)
print(json.dumps(out))
"""


def probe(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "ATTACHMENT_", "AWS_"))}
    # No credentials or configuration from the machine's own files reach the probe.
    base.update(HOME="/nonexistent", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


S3_ENV = {
    "ATTACHMENT_STORAGE": "s3",
    "S3_BUCKET": "wenzheng-luocheng",
    "S3_REGION": "cn-south-1",
    "S3_ACCESS_KEY_ID": "AKFAKE",
    "S3_SECRET_ACCESS_KEY": "fake-secret",
    "S3_PREFIX": "county",
}


class SettingsTest(CastTestCase):
    def test_it_keeps_files_in_a_folder_under_media_root_by_default(self):
        result = probe(MEDIA_ROOT="/srv/wenzheng/media")
        self.assertEqual(result.returncode, 0, result.stderr)
        out = json.loads(result.stdout)
        self.assertEqual((out["class"], out["location"]), ("FileSystemStorage", "/srv/wenzheng/media"))

    def test_the_s3_settings_reach_the_store_and_its_files_go_there(self):
        with FakeS3("wenzheng-luocheng") as s3:
            result = probe(**S3_ENV, S3_ENDPOINT_URL=s3.url)
            self.assertEqual(result.returncode, 0, result.stderr)
            out = json.loads(result.stdout)
        self.assertEqual(out["class"], "S3Storage")
        self.assertEqual(
            {k: out[k] for k in ("bucket_name", "endpoint_url", "region_name", "access_key", "secret_key")},
            {
                "bucket_name": "wenzheng-luocheng",
                "endpoint_url": s3.url,
                "region_name": "cn-south-1",
                "access_key": "AKFAKE",
                "secret_key": "fake-secret",
            },
        )
        self.assertEqual(
            (out["default_acl"], out["file_overwrite"], out["addressing_style"]), ("private", False, "path")
        )
        self.assertEqual(out["saved"], "attachments/2026/11/probe.jpg")
        self.assertEqual(out["read"], "photo bytes")
        self.assertEqual(out["listed"], [[], ["probe.jpg"]])
        self.assertFalse(out["exists_after_delete"])
        puts = [(path, headers) for method, path, headers in s3.requests if method == "PUT"]
        # Under the prefix, in the bucket, private, signed with the configured key.
        self.assertEqual([path for path, _ in puts], ["/wenzheng-luocheng/county/attachments/2026/11/probe.jpg"])
        self.assertEqual(puts[0][1].get("x-amz-acl"), "private")
        self.assertIn("Credential=AKFAKE/", puts[0][1]["Authorization"])
        self.assertIn("/cn-south-1/s3/", puts[0][1]["Authorization"])
        self.assertEqual(s3.objects, {})

    def test_the_secret_may_come_from_a_file(self):
        secret = self.enterContext(tempfile.NamedTemporaryFile("w", suffix=".key"))
        secret.write("from-a-file\n")
        secret.flush()
        env = {k: v for k, v in S3_ENV.items() if k != "S3_SECRET_ACCESS_KEY"}
        with FakeS3("wenzheng-luocheng") as s3:
            result = probe(**env, S3_ENDPOINT_URL=s3.url, S3_SECRET_ACCESS_KEY_FILE=secret.name)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["secret_key"], "from-a-file")

    def test_a_store_without_a_bucket_or_an_unknown_storage_is_refused_at_start(self):
        for env, says in (
            ({"ATTACHMENT_STORAGE": "s3"}, "ATTACHMENT_STORAGE=s3 needs S3_BUCKET"),
            ({"ATTACHMENT_STORAGE": "ftp"}, "ATTACHMENT_STORAGE must be local or s3, not 'ftp'"),
        ):
            with self.subTest(env=env):
                result = probe(**env)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn(says, result.stderr)


class PhotosInTheStoreTest(CastTestCase):
    """A message's photo goes through the product into the store, and back out to a
    reader, as it would with several servers sharing one bucket."""

    def test_a_photo_is_kept_in_the_store_served_from_it_and_backed_up_from_it(self):
        c = self.cast
        with (
            FakeS3("wenzheng") as s3,
            override_settings(
                STORAGES={
                    **settings.STORAGES,
                    "attachments": {
                        "BACKEND": "storages.backends.s3.S3Storage",
                        "OPTIONS": {
                            "bucket_name": "wenzheng",
                            "endpoint_url": s3.url,
                            "region_name": "us-east-1",
                            "access_key": "AKFAKE",
                            "secret_key": "fake",
                            "default_acl": "private",
                            "file_overwrite": False,
                            "addressing_style": "path",
                        },
                    },
                }
            ),
        ):
            self.assertNotIsInstance(storage(), FileSystemStorage)
            self.client.post(
                "/post/?county=luocheng",
                {
                    "unit": c.unit_a.pk, "category": c.consultation.pk, "title": "路灯坏了", "body": "照片附上。",
                    "name": "王五", "phone": "13700000000", "consent_to_publish": "on", "photos": [phone_photo()],
                },
            )  # fmt: skip
            message = Message.objects.get(title="路灯坏了")
            photo = message.attachments.get()
            self.assertEqual(set(s3.objects), {photo.file, photo.thumbnail})
            kept = s3.objects[photo.file]
            self.assertEqual(dict(Image.open(io.BytesIO(kept)).getexif().get_ifd(GPS_IFD)), {})
            actions.reply(message=message, by=c.handler_a, text="已修复。")
            self.assertTrue(Message.objects.published().filter(pk=message.pk).exists())

            response = self.client.get(f"/files/{photo.pk}/")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(b"".join(response.streaming_content), kept)
            self.assertEqual(response["X-Content-Type-Options"], "nosniff")
            # What a backup reads, and what a restore's clean-up sees, come from the store.
            self.assertEqual(backup.read(photo.file), kept)
            self.assertEqual(set(backup._walk("attachments")), {photo.file, photo.thumbnail})
            self.assertEqual(Attachment.objects.count(), 1)
