"""The Python SDK against a real Certyneo server.

Run by test/sdk-python.test.ts, which starts the servers (and a proxy that loses answers on
cue) and passes their addresses in CERTYNEO_* variables; each test runs in its own process.
"""

import base64
import json
import os
import tempfile
import time
import unittest

from certyneo import Certyneo, CertyneoError, WebhookVerificationError, verify_webhook

ENV = os.environ
RECIPIENTS = [{"email": "ana@example.com", "name": "Ana Silva"}]
# A 1x1 PNG, as a drawn signature.
TINY_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def client(url_var: str = "CERTYNEO_BASE_URL", key_var: str = "CERTYNEO_API_KEY", **options) -> Certyneo:
    return Certyneo(api_key=ENV[key_var], base_url=ENV[url_var], **options)


def pdf() -> bytes:
    with open(ENV["CERTYNEO_TEST_PDF"], "rb") as f:
        return f.read()


class Documents(unittest.TestCase):
    def test_upload_get_delete(self):
        c = client()
        from_bytes = c.documents.upload(pdf(), name="bytes.pdf")
        self.assertEqual(from_bytes["name"], "bytes.pdf")
        self.assertTrue(from_bytes["id"].startswith("doc_"))
        self.assertEqual(from_bytes["size"], len(pdf()))
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "contract.pdf")
            with open(path, "wb") as f:
                f.write(pdf())
            from_path = c.documents.upload(path)
            with open(path, "rb") as f:
                from_file = c.documents.upload(f, name="opened.pdf")
        self.assertEqual(from_path["name"], "contract.pdf")
        self.assertEqual(from_file["name"], "opened.pdf")
        self.assertEqual(from_path["sha256"], from_bytes["sha256"])
        self.assertEqual(c.documents.get(from_path["id"]), from_path)
        self.assertEqual(c.documents.content(from_path["id"]), pdf())
        c.documents.delete(from_file["id"])
        with self.assertRaises(CertyneoError) as e:
            c.documents.get(from_file["id"])
        self.assertEqual((e.exception.status, e.exception.code), (404, "not_found"))

    def test_list_walks_every_page(self):
        c = client("CERTYNEO_TEST_EMPTY_URL", "CERTYNEO_TEST_EMPTY_KEY")
        uploaded = [c.documents.upload(pdf(), name=f"p{i}.pdf")["id"] for i in range(5)]
        seen = [d["id"] for d in c.documents.list(limit=2)]
        self.assertEqual(len(seen), 5)
        self.assertEqual(sorted(seen), sorted(uploaded))


class Envelopes(unittest.TestCase):
    def test_list_pages_on_past_a_deleted_draft(self):
        c = client()
        doc = c.documents.upload(pdf())
        drafts = {c.envelopes.create(subject=f"d{i}", document_ids=[doc["id"]], recipients=RECIPIENTS)["id"] for i in range(5)}
        seen = []
        for envelope in c.envelopes.list(status="DRAFT", limit=2):
            seen.append(envelope["id"])
            if len(seen) == 2:
                c.envelopes.delete(envelope["id"])  # the cursor of the next page
        self.assertEqual(len(seen), len(set(seen)))
        self.assertTrue(drafts <= set(seen))

    def test_whole_cycle(self):
        c = client()
        doc = c.documents.upload(pdf(), name="contract.pdf")
        draft = c.envelopes.create(subject="Contract", document_ids=[doc["id"]], recipients=RECIPIENTS)
        self.assertEqual(draft["status"], "DRAFT")
        updated = c.envelopes.update(draft["id"], subject="Employment contract", metadata={"employee": "42"})
        self.assertEqual((updated["subject"], updated["metadata"]), ("Employment contract", {"employee": "42"}))
        sent = c.envelopes.send(draft["id"])
        self.assertEqual(sent["status"], "SENT")
        sign_url = sent["recipients"][0]["signUrl"]
        self.assertEqual(c.signing.get(sign_url)["state"], "ready")
        self.assertEqual(c.signing.document(sign_url, doc["id"])[:5], b"%PDF-")
        c.signing.complete(sign_url, consent=True, signature={"type": "typed", "value": "Ana Silva"})

        done = c.envelopes.wait_for_completion(draft["id"], timeout=30)
        self.assertEqual((done["status"], done["sealStatus"]), ("COMPLETED", "SEALED"))
        signed = c.envelopes.signed_document(draft["id"])
        self.assertEqual(signed[:5], b"%PDF-")
        self.assertGreater(len(signed), doc["size"])
        verification = c.verify(signed)
        self.assertTrue(verification["valid"])
        self.assertEqual(c.envelopes.audit_trail(draft["id"])[:5], b"%PDF-")
        self.assertEqual(c.signing.signed_document(sign_url), signed)

    def test_decline_void_delete_and_list_by_status(self):
        c = client("CERTYNEO_TEST_EMPTY_URL", "CERTYNEO_TEST_EMPTY_KEY")
        doc = c.documents.upload(pdf())
        declined = c.envelopes.send(c.envelopes.create(subject="A", document_ids=[doc["id"]], recipients=RECIPIENTS)["id"])
        c.signing.decline(declined["recipients"][0]["signUrl"], "Wrong salary")
        ended = c.envelopes.wait_for_completion(declined["id"], timeout=30)
        self.assertEqual((ended["status"], ended["statusReason"]), ("DECLINED", "Wrong salary"))
        voided = c.envelopes.send(c.envelopes.create(subject="B", document_ids=[doc["id"]], recipients=RECIPIENTS)["id"])
        self.assertEqual(c.envelopes.void(voided["id"], reason="Sent by mistake")["status"], "VOIDED")
        drafts = [c.envelopes.create(subject=f"D{i}", document_ids=[doc["id"]], recipients=RECIPIENTS)["id"] for i in range(3)]
        self.assertEqual(sorted(e["id"] for e in c.envelopes.list(status="DRAFT", limit=2)), sorted(drafts))
        self.assertEqual(len(list(c.envelopes.list(limit=1))), 5)
        self.assertTrue(c.envelopes.delete(drafts[0])["deleted"])

    def test_wait_gives_up_with_timeout(self):
        c = client()
        doc = c.documents.upload(pdf())
        sent = c.envelopes.send(c.envelopes.create(subject="Waiting", document_ids=[doc["id"]], recipients=RECIPIENTS)["id"])
        with self.assertRaises(CertyneoError) as e:
            c.envelopes.wait_for_completion(sent["id"], timeout=0.001)
        self.assertEqual((e.exception.status, e.exception.code), (0, "timeout"))
        self.assertIn("SENT", str(e.exception))


class Errors(unittest.TestCase):
    def test_problem_details(self):
        with self.assertRaises(CertyneoError) as e:
            client().envelopes.create(subject="", document_ids=[], recipients=[])
        err = e.exception
        self.assertEqual(client().health()["status"], "ok")
        self.assertEqual((err.status, err.code), (422, "validation_failed"))
        self.assertTrue(err.request_id.startswith("req_"))
        self.assertIn("/subject", [x["pointer"] for x in err.errors])
        self.assertIn("validation_failed", err.problem["type"])
        print(json.dumps({"requestId": err.request_id}))
        with self.assertRaises(CertyneoError) as e:
            Certyneo(api_key="sk_test_nope", base_url=ENV["CERTYNEO_BASE_URL"]).keys.list()
        self.assertEqual((e.exception.status, e.exception.code), (401, "unauthorized"))

    def test_keys_create_list_revoke(self):
        c = client()
        created = c.keys.create("short-lived", scopes=["envelopes", "keys"])
        self.assertTrue(created["key"].startswith("sk_test_"))
        self.assertEqual(created["scopes"], ["envelopes", "keys"])
        self.assertIn(created["id"], [k["id"] for k in c.keys.list()])
        other = Certyneo(api_key=created["key"], base_url=ENV["CERTYNEO_BASE_URL"])
        self.assertGreater(len(other.keys.list()), 0)
        self.assertIsNotNone(c.keys.revoke(created["id"])["revokedAt"])
        with self.assertRaises(CertyneoError) as e:
            other.keys.list()
        self.assertEqual(e.exception.code, "unauthorized")

    def test_network_error(self):
        down = Certyneo(api_key="sk_test_x", base_url=ENV["CERTYNEO_TEST_CLOSED_URL"], max_retries=1)
        with self.assertRaises(CertyneoError) as e:
            down.documents.get("doc_x")
        self.assertEqual((e.exception.status, e.exception.code), (0, "network_error"))

    def test_timeout(self):
        slow = client("CERTYNEO_TEST_PROXY_URL", timeout=0.3, max_retries=1)
        with self.assertRaises(CertyneoError) as e:
            slow.documents.get("doc_x")
        self.assertEqual((e.exception.status, e.exception.code), (0, "timeout"))

    def test_timeout_bounds_a_trickled_answer(self):
        # Each byte arrives well within the timeout; the whole answer does not.
        slow = client("CERTYNEO_TEST_PROXY_URL", timeout=1, max_retries=0)
        started = time.monotonic()
        with self.assertRaises(CertyneoError) as e:
            slow.documents.get(ENV["CERTYNEO_TEST_DOC_ID"])
        self.assertEqual((e.exception.status, e.exception.code), (0, "timeout"))
        self.assertLess(time.monotonic() - started, 2)


class Retries(unittest.TestCase):
    def test_get_retried_after_5xx(self):
        doc = client().documents.upload(pdf())
        self.assertEqual(client("CERTYNEO_TEST_PROXY_URL").documents.get(doc["id"])["id"], doc["id"])

    def test_patch_not_retried(self):
        c = client("CERTYNEO_TEST_PROXY_URL")
        with self.assertRaises(CertyneoError) as e:
            c.envelopes.update(ENV["CERTYNEO_TEST_DRAFT_ID"], subject="Changed")
        self.assertEqual(e.exception.status, 503)

    def test_lost_post_answer_replayed(self):
        c = client("CERTYNEO_TEST_PROXY_URL")
        created = c.envelopes.create(subject="Once (python)", document_ids=[ENV["CERTYNEO_TEST_DOC_ID"]], recipients=RECIPIENTS)
        same = [e["id"] for e in client().envelopes.list() if e["subject"] == "Once (python)"]
        self.assertEqual(same, [created["id"]])

    def test_own_idempotency_key(self):
        c = client("CERTYNEO_TEST_PROXY_URL")
        first = c.envelopes.create(subject="Twice (python)", document_ids=[ENV["CERTYNEO_TEST_DOC_ID"]], recipients=RECIPIENTS, idempotency_key="py-order-42")
        again = c.envelopes.create(subject="Twice (python)", document_ids=[ENV["CERTYNEO_TEST_DOC_ID"]], recipients=RECIPIENTS, idempotency_key="py-order-42")
        self.assertEqual(first["id"], again["id"])

    def test_429_retried_after_retry_after(self):
        c = client("CERTYNEO_TEST_LIMITED_URL", "CERTYNEO_TEST_LIMITED_KEY")
        for _ in range(4):
            self.assertEqual(len(c.keys.list()), 1)
        impatient = client("CERTYNEO_TEST_LIMITED_URL", "CERTYNEO_TEST_LIMITED_KEY", max_retries=0)
        with self.assertRaises(CertyneoError) as e:
            for _ in range(5):
                impatient.keys.list()
        self.assertEqual((e.exception.status, e.exception.code), (429, "rate_limited"))
        self.assertGreaterEqual(e.exception.retry_after_seconds, 1)


class Templates(unittest.TestCase):
    def test_create_bulk_send_poll_delete(self):
        c = client()
        doc = c.documents.upload(pdf(), name="offer.pdf")
        field = {"roleName": "Candidate", "documentId": doc["id"], "type": "signature", "page": 1, "x": 72, "y": 600, "width": 180, "height": 40}
        template = c.templates.create(name="Offer letter", subject="Your offer", document_ids=[doc["id"]], roles=[{"roleName": "Candidate"}], fields=[field])
        self.assertTrue(template["id"].startswith("tpl_"))
        self.assertEqual(template["roles"], [{"roleName": "Candidate", "role": "SIGNER", "routingOrder": 1}])
        self.assertEqual(c.templates.get(template["id"]), template)
        self.assertEqual(c.templates.update(template["id"], subject="Your offer from Certyneo")["subject"], "Your offer from Certyneo")
        self.assertIn(template["id"], [t["id"] for t in c.templates.list(limit=1)])

        rows = [
            {"recipients": [{"roleName": "Candidate", "email": "ana@example.com", "name": "Ana Silva"}]},
            {"recipients": [{"roleName": "Candidate", "email": "rui@example.com", "name": "Rui Costa"}], "metadata": {"row": "2"}},
        ]
        batch = c.templates.bulk_send(template["id"], rows, idempotency_key=f"py-bulk-{template['id']}")
        self.assertEqual((batch["templateId"], batch["total"]), (template["id"], 2))
        # The same Idempotency-Key answers the same batch instead of sending twice.
        self.assertEqual(c.templates.bulk_send(template["id"], rows, idempotency_key=f"py-bulk-{template['id']}")["id"], batch["id"])
        done = self.poll(c, batch["id"])
        self.assertEqual((done["status"], done["processed"], done["sent"], done["failed"], done["errors"]), ("completed", 2, 2, 0, []))
        envelopes = [c.envelopes.get(e["envelopeId"]) for e in done["envelopes"]]
        self.assertEqual(sorted((e["status"], e["recipients"][0]["email"]) for e in envelopes), [("SENT", "ana@example.com"), ("SENT", "rui@example.com")])

        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "people.csv")
            with open(path, "w", encoding="utf-8") as f:
                f.write("Candidate.email,Candidate.name\nleo@example.com,Leo Faria\n")
            from_csv = self.poll(c, c.templates.bulk_send(template["id"], csv=path)["id"])
        self.assertEqual((from_csv["status"], from_csv["total"], from_csv["sent"]), ("completed", 1, 1))
        with self.assertRaises(TypeError):
            c.templates.bulk_send(template["id"])

        self.assertTrue(c.templates.delete(template["id"])["deleted"])
        with self.assertRaises(CertyneoError) as e:
            c.templates.get(template["id"])
        self.assertEqual(e.exception.code, "not_found")

    @staticmethod
    def poll(c: Certyneo, batch_id: str) -> dict:
        deadline = time.monotonic() + 30
        while True:
            batch = c.batches.get(batch_id)
            if batch["status"] == "completed" or time.monotonic() > deadline:
                return batch
            time.sleep(0.2)


class Recipients(unittest.TestCase):
    def test_correct_recipient_and_reassign(self):
        c = client()
        doc = c.documents.upload(pdf())
        sent = c.envelopes.send(c.envelopes.create(subject="Correct me", document_ids=[doc["id"]], recipients=RECIPIENTS, allow_reassign=True)["id"])
        before = sent["recipients"][0]
        corrected = c.envelopes.correct_recipient(sent["id"], before["id"], email="ana.silva@example.com", name="Ana M. Silva")
        self.assertEqual((corrected["recipients"][0]["email"], corrected["recipients"][0]["name"]), ("ana.silva@example.com", "Ana M. Silva"))
        new_link = c.envelopes.get(sent["id"])["recipients"][0]["signUrl"]
        self.assertNotEqual(new_link, before["signUrl"])
        with self.assertRaises(CertyneoError):
            c.signing.get(before["signUrl"])

        handed = c.signing.reassign(new_link, name="Rui Costa", email="rui@example.com", reason="On leave")
        self.assertEqual(handed, {"reassignedTo": {"name": "Rui Costa", "email": "rui@example.com"}})
        self.assertEqual(c.envelopes.get(sent["id"])["recipients"][0]["email"], "rui@example.com")

    def test_signature_image(self):
        c = client()
        doc = c.documents.upload(pdf())
        field = {"documentId": doc["id"], "type": "signature", "page": 1, "x": 72, "y": 600, "width": 160, "height": 40}
        recipients = [{"email": "ana@example.com", "name": "Ana Silva", "fields": [field]}, {"email": "rui@example.com", "name": "Rui Costa"}]
        sent = c.envelopes.send(c.envelopes.create(subject="Two hands", document_ids=[doc["id"]], recipients=recipients)["id"])
        ana, rui = sent["recipients"]
        c.signing.complete(ana["signUrl"], consent=True, signature={"type": "drawn", "value": "data:image/png;base64," + base64.b64encode(TINY_PNG).decode()})
        stamp = next(st for st in c.signing.get(rui["signUrl"])["stamps"] if st["imageUrl"])
        self.assertEqual(c.signing.signature_image(rui["signUrl"], stamp["imageUrl"]), TINY_PNG)
        self.assertEqual(c.signing.signature_image(rui["signUrl"], ana["id"]), TINY_PNG)
        with self.assertRaises(CertyneoError) as e:
            c.signing.signature_image(rui["signUrl"], rui["id"])
        self.assertEqual(e.exception.status, 404)

    def test_signer_authentication(self):
        c = client()
        doc = c.documents.upload(pdf())
        recipients = [
            {"email": "ana@example.com", "name": "Ana Silva", "authentication": {"method": "access_code", "accessCode": "4821"}},
            {"email": "rui@example.com", "name": "Rui Costa", "authentication": {"method": "email_otp"}},
        ]
        sent = c.envelopes.send(c.envelopes.create(subject="Prove it", document_ids=[doc["id"]], recipients=recipients)["id"])
        ana, rui = (r["signUrl"] for r in sent["recipients"])
        with self.assertRaises(CertyneoError) as e:
            c.signing.get(ana)
        self.assertEqual(e.exception.code, "signing_auth_required")
        with self.assertRaises(CertyneoError) as e:
            c.signing.authenticate(ana, "0000")
        self.assertEqual(e.exception.code, "auth_code_invalid")
        self.assertEqual(c.signing.authenticate(ana, "4821")["state"], "ready")
        code = c.signing.request_code(rui)
        self.assertIn("@example.com", code["destination"])
        self.assertGreater(code["retryAfterSeconds"], 0)


class Webhooks(unittest.TestCase):
    def test_create_get_update_list_delete(self):
        c = client("CERTYNEO_TEST_EMPTY_URL", "CERTYNEO_TEST_EMPTY_KEY")
        created = c.webhooks.create(url="https://hr.example.com/hooks/certyneo", events=["envelope.created"])
        self.assertTrue(created["secret"].startswith("whsec_"))
        self.assertEqual(c.webhooks.get(created["id"])["url"], created["url"])
        self.assertEqual(c.webhooks.update(created["id"], description="HRIS")["description"], "HRIS")
        self.assertEqual([w["id"] for w in c.webhooks.list()], [created["id"]])
        doc = c.documents.upload(pdf())
        envelope = c.envelopes.create(subject="Hooked", document_ids=[doc["id"]], recipients=RECIPIENTS)
        deliveries = list(c.webhooks.deliveries(created["id"]))
        self.assertEqual(len(deliveries), 1)
        resent = c.webhooks.resend(created["id"], deliveries[0]["id"])
        self.assertNotEqual(resent["id"], deliveries[0]["id"])
        self.assertEqual(resent["eventId"], deliveries[0]["eventId"])
        c.envelopes.delete(envelope["id"])
        self.assertTrue(c.webhooks.delete(created["id"])["deletedAt"])

    def test_verify_webhook_agrees_with_standardwebhooks(self):
        """The cases were signed and decided by the standardwebhooks npm package (see the .ts test)."""
        with open(ENV["CERTYNEO_TEST_WEBHOOK_CASES"]) as f:
            cases = json.load(f)
        self.assertGreater(len(cases), 5)
        decisions = {}
        for case in cases:
            for kind, body in (("str", case["payload"]), ("bytes", case["payload"].encode("utf-8"))):
                try:
                    decisions[f"{case['name']} ({kind})"] = {"ok": True, "event": verify_webhook(case["secret"], case["headers"], body)}
                except WebhookVerificationError:
                    decisions[f"{case['name']} ({kind})"] = {"ok": False}
        print(json.dumps(decisions))


if __name__ == "__main__":
    unittest.main()
