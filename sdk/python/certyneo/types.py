"""Generated from the server's OpenAPI document by sdk/scripts/generate.ts. Do not edit: run `npm run sdk:generate`."""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict, Union


class ApiKey(TypedDict):
    id: str
    name: str
    environment: Literal["test", "live"]
    #: First characters of the key, to recognise it
    prefix: str
    #: What the key may do; a route needing another scope answers 403 forbidden
    scopes: List[Literal["envelopes", "webhooks", "keys"]]
    createdAt: str
    lastUsedAt: Optional[str]
    revokedAt: Optional[str]


class ApiKeyList(TypedDict):
    data: List[ApiKey]


class AuditSummary(TypedDict):
    count: int
    #: Hash of the last event: the head of the envelope's SHA-256 hash chain
    head: str
    #: Whether the stored chain ends at the head recorded with its last event, the events shown linked to it. No hash is recomputed here; the audit-trail PDF reports the whole chain verified, every hash recomputed.
    valid: bool
    #: The last events, oldest first
    events: List[Dict[str, Any]]


class Batch(TypedDict):
    id: str
    templateId: str
    status: Literal["queued", "running", "completed"]
    total: int
    #: Rows done so far (sent + failed)
    processed: int
    #: Rows whose envelope was created and sent
    sent: int
    failed: int
    envelopes: List[Dict[str, Any]]
    #: Each failed row with its problems (pointers from /rows/{row})
    errors: List[Dict[str, Any]]
    createdAt: str
    completedAt: Optional[str]


class _BatchRowInputRequired(TypedDict):
    #: One person per role of the template
    recipients: List[TemplateRecipientInput]


class BatchRowInput(_BatchRowInputRequired, total=False):
    #: Values the sender fixes, by field label (a field's `label` or a text tag's name): text and date fields take text, checkboxes true or false. Recipients see them and cannot change them.
    prefill: Dict[str, Union[str, bool]]
    metadata: Dict[str, str]


class BulkSend(TypedDict):
    #: One envelope per row; a row that is not valid fails alone
    rows: List[BatchRowInput]


class BulkSendCsv(TypedDict):
    #: CSV, UTF-8, a header line then one envelope per line: `Role.email`, `Role.name`, `Role.phone` per role; every other column is a prefill value by field label
    file: bytes


class CreatedApiKey(TypedDict):
    id: str
    name: str
    environment: Literal["test", "live"]
    #: First characters of the key, to recognise it
    prefix: str
    #: What the key may do; a route needing another scope answers 403 forbidden
    scopes: List[Literal["envelopes", "webhooks", "keys"]]
    createdAt: str
    lastUsedAt: Optional[str]
    revokedAt: Optional[str]
    #: The secret key. Shown once: store it now.
    key: str


class CreatedWebhook(TypedDict):
    id: str
    #: The URL deliveries are POSTed to
    url: str
    description: Optional[str]
    events: List[Literal["envelope.created", "envelope.sent", "envelope.completed", "envelope.declined", "envelope.voided", "envelope.expired", "recipient.viewed", "recipient.signed", "envelope.seal_delayed", "recipient.delivery_failed", "envelope.seal_failed", "*"]]
    #: False once disabled (after failing continuously for webhooks.disableAfterHours, or by PATCH)
    enabled: bool
    #: Why the endpoint was disabled
    disabledReason: Optional[str]
    #: Start of the current run of failed deliveries, null while healthy
    failingSince: Optional[str]
    createdAt: str
    #: Signing secret (Standard Webhooks `whsec_<base64>`). Shown once: store it now.
    secret: str


class DeletedWebhook(TypedDict):
    id: str
    #: The URL deliveries are POSTed to
    url: str
    description: Optional[str]
    events: List[Literal["envelope.created", "envelope.sent", "envelope.completed", "envelope.declined", "envelope.voided", "envelope.expired", "recipient.viewed", "recipient.signed", "envelope.seal_delayed", "recipient.delivery_failed", "envelope.seal_failed", "*"]]
    #: False once disabled (after failing continuously for webhooks.disableAfterHours, or by PATCH)
    enabled: bool
    #: Why the endpoint was disabled
    disabledReason: Optional[str]
    #: Start of the current run of failed deliveries, null while healthy
    failingSince: Optional[str]
    createdAt: str
    #: When the endpoint was deleted
    deletedAt: str


class Delivery(TypedDict):
    """The outcome of the recipient's latest invitation or reminder"""
    status: Literal["pending", "sent", "failed"]
    channel: Optional[Literal["email", "sms"]]
    #: Attempts since the latest invitation or reminder
    attempts: int
    lastError: Optional[str]
    updatedAt: str


class Document(TypedDict):
    id: str
    name: str
    #: Bytes
    size: int
    #: SHA-256 of the uploaded bytes, hex
    sha256: str
    pageCount: int
    #: Displayed size of each page in points (CropBox, after rotation): the space field coordinates refer to
    pages: List[Dict[str, Any]]
    #: The document's own form fields: prefill them by name, or hand them to recipients (`formFields`)
    formFields: List[FormField]
    #: Text tags found in the document (`{{Name;type=signature;role=Employee}}` and the Adobe Sign / Dropbox Sign forms): an envelope turns them into fields
    tags: List[TextTag]
    createdAt: str


class DocumentList(TypedDict):
    data: List[Document]
    #: Whether another page follows; pass the last id as startingAfter
    hasMore: bool


class DocumentUploadJson(TypedDict):
    name: str
    #: The PDF, base64-encoded
    contentBase64: str


class _DocumentUploadMultipartRequired(TypedDict):
    #: The PDF file
    file: bytes


class DocumentUploadMultipart(_DocumentUploadMultipartRequired, total=False):
    #: Defaults to the file's name
    name: str


class _EnvelopeRequired(TypedDict):
    id: str
    status: Literal["DRAFT", "SENT", "COMPLETED", "DECLINED", "VOIDED", "EXPIRED"]
    subject: str
    message: Optional[str]
    locale: Optional[Literal["en", "fr", "de", "es", "it", "pt", "nl", "el", "ar"]]
    #: Who asks for the signatures: shown on the signing page and in the e-mails (their reply-to), and told by e-mail when a recipient declines
    sender: Optional[Dict[str, Any]]
    #: Origins that may frame the signing page (empty: none)
    embedding: Dict[str, Any]
    redirectUrl: Optional[str]
    signingOrder: Literal["parallel", "sequential", "custom"]
    expiresAt: Optional[str]
    reminderIntervalHours: Optional[int]
    notifyBySms: bool
    allowReassign: bool
    metadata: Dict[str, str]
    prefill: Dict[str, Union[str, bool]]
    #: The template it was made from, if any
    templateId: Optional[str]
    documents: List[Dict[str, Any]]
    recipients: List[Recipient]
    fields: List[Field]
    #: The decline or void reason
    statusReason: Optional[str]
    sealStatus: Optional[Literal["PENDING", "SEALED", "FAILED"]]
    createdAt: str
    updatedAt: str
    sentAt: Optional[str]
    completedAt: Optional[str]
    endedAt: Optional[str]
    audit: AuditSummary


class Envelope(_EnvelopeRequired, total=False):
    #: Present (true) on the reply to DELETE of a draft
    deleted: bool


class _EnvelopeCreateRequired(TypedDict):
    subject: str
    #: Documents, in order
    documentIds: List[str]
    recipients: List[RecipientInput]


class EnvelopeCreate(_EnvelopeCreateRequired, total=False):
    #: Shown in the invitation and on the signing page
    message: str
    #: Shorthand for routingOrder: parallel = everyone at once; sequential = in the order of `recipients`. Do not combine with per-recipient routingOrder.
    signingOrder: Union[Literal["parallel"], Literal["sequential"]]
    #: Language of the e-mails, the signing page, the certificate of completion and the audit trail. Not set: the signing page follows each signer's browser (Accept-Language) and the e-mails are in English; a signer may switch the page's language either way.
    locale: Union[Literal["en"], Literal["fr"], Literal["de"], Literal["es"], Literal["it"], Literal["pt"], Literal["nl"], Literal["el"], Literal["ar"]]
    #: Who asks for the signatures: shown on the signing page and in the e-mails (their reply-to), and told by e-mail when a recipient declines
    sender: Dict[str, Any]
    #: Embedded signing: which of your web apps may show the signing page in a frame
    embedding: Dict[str, Any]
    #: Where the signing page sends the signer after signing or declining (https, or http on loopback)
    redirectUrl: str
    #: After this instant the envelope expires and its links stop working
    expiresAt: str
    #: Remind pending recipients every N hours
    reminderIntervalHours: int
    #: Also invite recipients that have a phone by SMS
    notifyBySms: bool
    #: Signers may hand their turn to someone else (name, e-mail, reason) from the signing page; audited and shown in the certificate
    allowReassign: bool
    #: Your own string key/values (up to 50), returned as given
    metadata: Dict[str, str]
    #: Values the sender fixes, by field label (a field's `label` or a text tag's name): text and date fields take text, checkboxes true or false. Recipients see them and cannot change them.
    prefill: Dict[str, Union[str, bool]]


class _EnvelopeCreateFromTemplateRequired(TypedDict):
    #: The template to copy: documents, roles, fields and defaults
    templateId: str
    #: One person per role of the template
    recipients: List[TemplateRecipientInput]


class EnvelopeCreateFromTemplate(_EnvelopeCreateFromTemplateRequired, total=False):
    #: Values the sender fixes, by field label (a field's `label` or a text tag's name): text and date fields take text, checkboxes true or false. Recipients see them and cannot change them.
    prefill: Dict[str, Union[str, bool]]
    #: Default: the template's subject
    subject: str
    #: Shown in the invitation and on the signing page
    message: str
    #: Language of the e-mails, the signing page, the certificate of completion and the audit trail. Not set: the signing page follows each signer's browser (Accept-Language) and the e-mails are in English; a signer may switch the page's language either way.
    locale: Union[Literal["en"], Literal["fr"], Literal["de"], Literal["es"], Literal["it"], Literal["pt"], Literal["nl"], Literal["el"], Literal["ar"]]
    #: Default: the template's expiresInDays after now
    expiresAt: str
    #: Remind pending recipients every N hours
    reminderIntervalHours: int
    #: Also invite recipients that have a phone by SMS
    notifyBySms: bool
    #: Signers may hand their turn to someone else (name, e-mail, reason) from the signing page; audited and shown in the certificate
    allowReassign: bool
    #: Added to the template's metadata
    metadata: Dict[str, str]


class EnvelopeList(TypedDict):
    data: List[Envelope]
    #: Whether another page follows; pass the last id as startingAfter
    hasMore: bool


class EnvelopeUpdate(TypedDict, total=False):
    """Only the members given change; `recipients` and `metadata` are replaced whole; null clears."""
    subject: str
    message: Optional[str]
    documentIds: List[str]
    #: Replaces every recipient (and their fields)
    recipients: List[RecipientInput]
    #: Shorthand for routingOrder: parallel = everyone at once; sequential = in the order of `recipients`. Do not combine with per-recipient routingOrder.
    signingOrder: Union[Literal["parallel"], Literal["sequential"]]
    locale: Optional[Union[Literal["en"], Literal["fr"], Literal["de"], Literal["es"], Literal["it"], Literal["pt"], Literal["nl"], Literal["el"], Literal["ar"]]]
    sender: Optional[Dict[str, Any]]
    embedding: Optional[Dict[str, Any]]
    redirectUrl: Optional[str]
    expiresAt: Optional[str]
    reminderIntervalHours: Optional[int]
    #: Also invite recipients that have a phone by SMS
    notifyBySms: bool
    #: Signers may hand their turn to someone else (name, e-mail, reason) from the signing page; audited and shown in the certificate
    allowReassign: bool
    #: Your own string key/values (up to 50), returned as given
    metadata: Dict[str, str]
    #: Values the sender fixes, by field label (a field's `label` or a text tag's name): text and date fields take text, checkboxes true or false. Recipients see them and cannot change them.
    prefill: Dict[str, Union[str, bool]]


class Field(TypedDict):
    id: str
    recipientId: str
    documentId: str
    type: Literal["signature", "initials", "date", "text", "checkbox", "radio", "choice"]
    page: int
    x: float
    y: float
    width: float
    height: float
    required: bool
    label: Optional[str]
    #: What the recipient filled in (checkbox: "true"/"false")
    value: Optional[str]
    source: Literal["explicit", "tag", "form"]
    #: Filled by the sender (`prefill`): the recipient sees the value and cannot change it
    readOnly: bool


class _FieldInputRequired(TypedDict):
    #: One of the envelope's documentIds
    documentId: str
    type: Union[Literal["signature"], Literal["initials"], Literal["date"], Literal["text"], Literal["checkbox"]]
    #: 1-based page number
    page: int
    #: Points from the left edge of the displayed page
    x: float
    #: Points from the TOP edge of the displayed page (y grows downwards)
    y: float
    #: Points, at least 4: a field the signer can see and click
    width: float
    #: Points, at least 4: a field the signer can see and click
    height: float


class FieldInput(_FieldInputRequired, total=False):
    #: Whether the recipient must fill it. Default: true for signature, initials, text and date fields; false for checkboxes (a box to tick is a choice unless you make it a condition with required: true).
    required: bool
    label: str


class _FormFieldRequired(TypedDict):
    """A field of the document's own form (AcroForm), placed by its first widget"""
    #: The form field's full name: what `prefill` and a recipient's `formFields` use
    name: str
    type: Literal["text", "checkbox", "radio", "choice", "signature"]
    page: int
    x: float
    y: float
    width: float
    height: float


class FormField(_FormFieldRequired, total=False):
    """A field of the document's own form (AcroForm), placed by its first widget"""
    #: Its current value: text, the chosen option, "true"/"false" for a checkbox; absent when empty
    value: str
    #: A radio group's or choice field's options
    options: List[str]
    #: A radio group's buttons on the first button's page: the option each one selects, and its box
    buttons: List[Dict[str, Any]]


class Health(TypedDict):
    status: Literal["ok"]
    version: str


class _ProblemRequired(TypedDict):
    #: `urn:certyneo:error:{code}`; the code's status and meaning are at /docs/errors#{code}, which the `Link` header (rel="help") gives in full
    type: str
    title: str
    status: int
    detail: str
    #: Stable machine-readable error code
    code: str
    #: Human-readable explanation (same as detail)
    message: str
    requestId: str


class Problem(_ProblemRequired, total=False):
    errors: List[Dict[str, Any]]
    #: With signing_auth_required: how the recipient proves who they are
    authentication: Dict[str, Any]


class PurgedEnvelope(TypedDict):
    """What remains of a purged envelope: no personal data"""
    id: str
    purged: Literal[True]
    status: Literal["DRAFT", "SENT", "COMPLETED", "DECLINED", "VOIDED", "EXPIRED"]
    createdAt: str
    endedAt: Optional[str]
    purgedAt: str
    reason: Literal["retention", "request"]
    #: The audit chain's last hash when it was purged
    auditHead: str
    auditCount: int
    #: SHA-256 of each original document
    documentHashes: List[str]
    sealedSha256: Optional[str]


class Recipient(TypedDict):
    id: str
    email: str
    name: str
    phone: Optional[str]
    role: Literal["SIGNER", "APPROVER", "CC"]
    roleName: Optional[str]
    routingOrder: int
    status: Literal["PENDING", "SENT", "VIEWED", "SIGNED", "DECLINED"]
    #: The recipient's personal signing link, once the envelope is sent
    signUrl: Optional[str]
    sentAt: Optional[str]
    viewedAt: Optional[str]
    signedAt: Optional[str]
    declinedAt: Optional[str]
    declineReason: Optional[str]
    #: How the recipient proves who they are (the access code is never shown)
    authentication: Optional[Dict[str, Any]]
    #: Shown in your app: no invitation or reminder is sent
    embedded: bool
    #: The outcome of the recipient's latest invitation or reminder
    delivery: Delivery


class RecipientCorrection(TypedDict, total=False):
    """The members given change; the recipient gets a new signing link and, if already invited, the invitation again."""
    email: str
    name: str
    phone: Optional[str]


class _RecipientInputRequired(TypedDict):
    email: str
    name: str


class RecipientInput(_RecipientInputRequired, total=False):
    #: E.164, for SMS invitations
    phone: str
    #: SIGNER signs; APPROVER approves without a signature; CC only receives the completed copy
    role: Union[Literal["SIGNER"], Literal["APPROVER"], Literal["CC"]]
    #: A free role name ("Employee"), distinct from `role`: the documents' text tags with this role become this recipient's fields
    roleName: str
    #: Names of the documents' own form fields (their `formFields`) this recipient fills: text, checkbox, radio, choice and signature fields. The sealed PDF carries the values as real form values.
    formFields: List[str]
    #: Equal orders sign in parallel; higher orders wait for lower ones. Default 1.
    routingOrder: int
    #: Where this recipient fills in; a signer without a signature field gets a signature block on an appended page. The documents' text tags for this recipient's roleName add to these.
    fields: List[FieldInput]
    #: You show the signing page in your own app (its signUrl, framed from embedding.allowedOrigins): no invitation or reminder is sent
    embedded: bool
    #: Ask the recipient to prove who they are before the signing page shows anything: until then the signing API answers 401 signing_auth_required
    authentication: Dict[str, Any]


class SignatureReport(TypedDict):
    fieldName: Optional[str]
    #: A signature, or a document time-stamp (PAdES B-LTA archive time-stamp)
    kind: Literal["signature", "document-timestamp"]
    subFilter: str
    signerSubject: str
    issuer: str
    #: Claimed signing time (/M or the signed attribute): not proven
    signingTime: Optional[str]
    #: Time in the RFC 3161 signature time-stamp, if any (or of the document time-stamp itself)
    timestampTime: Optional[str]
    #: The signed bytes are unchanged and the CMS signature verifies
    intact: bool
    coversWholeDocument: bool
    #: Bytes added after the signed revision (0 when it covers the whole document)
    bytesAppendedAfter: int
    changesAfter: Dict[str, Any]
    #: Certificate path: the signer's subject first, up to the trust anchor or as far as it could be built
    chain: List[str]
    #: Intact, the path ends in a configured trust anchor (verify.trustAnchors), every certificate valid at the signing time, not revoked
    trusted: bool
    #: Revocation status at the signing time from the validation data in the file (DSS OCSP/CRL); not-applicable for a self-signed certificate
    revocation: Literal["good", "revoked", "unknown", "not-applicable"]
    revocationSources: List[Literal["ocsp", "crl"]]
    timestamp: TimestampReport
    #: PAdES baseline level reached (ETSI.CAdES.detached signatures)
    level: Optional[Literal["B-B", "B-T", "B-LT", "B-LTA"]]
    #: Made with this instance's sealing certificate
    byThisInstance: bool


class SigningAuth(TypedDict):
    #: The 6-digit one-time code, or the access code
    code: str


class SigningAuthCodeSent(TypedDict):
    #: Where the code went, masked
    destination: Optional[str]
    #: When another code may be asked for
    retryAfterSeconds: int


class _SigningCompleteRequired(TypedDict):
    #: Must be true: the recipient agrees to sign electronically
    consent: bool


class SigningComplete(_SigningCompleteRequired, total=False):
    #: Required for a SIGNER; an APPROVER needs none
    signature: Dict[str, Any]
    #: Values by field id: text for text/date/initials fields, true/false for checkboxes, one of the `options` for radio and choice fields. Empty date fields get the signing date.
    fields: Dict[str, Union[str, bool]]
    locale: Literal["en", "fr", "de", "es", "it", "pt", "nl", "el", "ar"]


class SigningDecline(TypedDict):
    #: Told to the sender and the other recipients
    reason: str


class SigningReassign(TypedDict):
    name: str
    email: str
    #: Why, for the sender and the audit trail
    reason: str


class SigningReassigned(TypedDict):
    """Who now holds the place; this signing link no longer works"""
    reassignedTo: Dict[str, Any]


class SigningSession(TypedDict):
    envelope: Dict[str, Any]
    #: The organisation the signer deals with (the admin console's branding settings)
    organisation: Dict[str, Any]
    recipient: Dict[str, Any]
    state: Literal["ready", "signed", "declined", "waiting", "voided", "expired", "completed"]
    #: Empty once the envelope has ended
    documents: List[Dict[str, Any]]
    #: Once the envelope is COMPLETED: where every recipient downloads the sealed PDF (null before)
    signedDocument: Optional[Dict[str, Any]]
    #: What recipients who already signed placed on the pages, to show read-only; empty unless state is ready
    stamps: List[Dict[str, Any]]
    #: This recipient's fields only; empty once the envelope has ended
    fields: List[Dict[str, Any]]


class _TemplateRequired(TypedDict):
    id: str
    name: str
    subject: str
    message: Optional[str]
    locale: Literal["en", "fr", "de", "es", "it", "pt", "nl", "el", "ar"]
    documents: List[Dict[str, Any]]
    roles: List[Dict[str, Any]]
    fields: List[Dict[str, Any]]
    expiresInDays: Optional[int]
    reminderIntervalHours: Optional[int]
    notifyBySms: bool
    metadata: Dict[str, str]
    createdAt: str
    updatedAt: str


class Template(_TemplateRequired, total=False):
    #: Present (true) on the reply to DELETE
    deleted: bool


class _TemplateCreateRequired(TypedDict):
    #: What the sender calls the template
    name: str
    #: Subject of the envelopes made from it
    subject: str
    #: Documents, in order
    documentIds: List[str]
    #: Who signs, by role name; an envelope names a person for each
    roles: List[TemplateRoleInput]


class TemplateCreate(_TemplateCreateRequired, total=False):
    message: str
    #: Language of the invitations and of the signing page
    locale: Union[Literal["en"], Literal["fr"], Literal["de"], Literal["es"], Literal["it"], Literal["pt"], Literal["nl"], Literal["el"], Literal["ar"]]
    #: Fields bound to roles; the documents' text tags add theirs
    fields: List[TemplateFieldInput]
    #: Envelopes made from it expire this many days after creation
    expiresInDays: int
    reminderIntervalHours: int
    notifyBySms: bool
    #: Copied into each envelope (an envelope's own metadata adds to it)
    metadata: Dict[str, str]


class _TemplateFieldInputRequired(TypedDict):
    #: One of the template's roles
    roleName: str
    #: One of the envelope's documentIds
    documentId: str
    type: Union[Literal["signature"], Literal["initials"], Literal["date"], Literal["text"], Literal["checkbox"]]
    #: 1-based page number
    page: int
    #: Points from the left edge of the displayed page
    x: float
    #: Points from the TOP edge of the displayed page (y grows downwards)
    y: float
    #: Points, at least 4: a field the signer can see and click
    width: float
    #: Points, at least 4: a field the signer can see and click
    height: float


class TemplateFieldInput(_TemplateFieldInputRequired, total=False):
    #: Whether the recipient must fill it. Default: true for signature, initials, text and date fields; false for checkboxes (a box to tick is a choice unless you make it a condition with required: true).
    required: bool
    label: str


class TemplateList(TypedDict):
    data: List[Template]
    #: Whether another page follows; pass the last id as startingAfter
    hasMore: bool


class _TemplateRecipientInputRequired(TypedDict):
    #: One of the template's roles
    roleName: str
    email: str
    name: str


class TemplateRecipientInput(_TemplateRecipientInputRequired, total=False):
    #: E.164, for SMS invitations
    phone: str


class _TemplateRoleInputRequired(TypedDict):
    #: A free role name ("Employee"), distinct from `role`: the documents' text tags with this role become this recipient's fields
    roleName: str


class TemplateRoleInput(_TemplateRoleInputRequired, total=False):
    #: SIGNER signs; APPROVER approves without a signature; CC only receives the completed copy
    role: Union[Literal["SIGNER"], Literal["APPROVER"], Literal["CC"]]
    #: Equal orders sign in parallel; higher orders wait for lower ones. Default 1.
    routingOrder: int


class TemplateUpdate(TypedDict, total=False):
    """Only the members given change (`roles`, `fields`, `metadata` whole); null clears. Envelopes already made do not change."""
    #: What the sender calls the template
    name: str
    #: Subject of the envelopes made from it
    subject: str
    message: Optional[str]
    #: Language of the invitations and of the signing page
    locale: Union[Literal["en"], Literal["fr"], Literal["de"], Literal["es"], Literal["it"], Literal["pt"], Literal["nl"], Literal["el"], Literal["ar"]]
    #: Documents, in order
    documentIds: List[str]
    #: Who signs, by role name; an envelope names a person for each
    roles: List[TemplateRoleInput]
    #: Fields bound to roles; the documents' text tags add theirs
    fields: List[TemplateFieldInput]
    expiresInDays: Optional[int]
    reminderIntervalHours: Optional[int]
    notifyBySms: bool
    #: Copied into each envelope (an envelope's own metadata adds to it)
    metadata: Dict[str, str]


class TextTag(TypedDict):
    """A text tag found in the document's text: where a field goes, without coordinates (see docs/documents.md)"""
    #: The tag's name (DocuSeal: the text before the first `;`); becomes the field's label
    name: str
    type: Literal["signature", "initials", "date", "text", "checkbox"]
    #: The recipient `roleName` the field goes to; null: the first signer
    role: Optional[str]
    required: bool
    page: int
    #: Points from the left edge of the displayed page
    x: float
    #: Points from the TOP edge of the displayed page
    y: float
    width: float
    height: float


class TimestampReport(TypedDict):
    #: genTime of the RFC 3161 token (ISO 8601)
    time: Optional[str]
    #: The token's signature verifies and it stamps what it should
    intact: bool
    #: The authority's certificate is for time-stamping and chains to a trust anchor
    trusted: bool
    #: Subject of the time-stamp authority's certificate
    authority: str


class Verification(TypedDict):
    #: At least one signature, all intact, the last one covering the whole document (or followed by validation data only, a DSS update)
    valid: bool
    #: Valid, and every signature and time-stamp trusted (chains to a configured anchor, not revoked)
    trusted: bool
    signatures: List[SignatureReport]


class VerifyUpload(TypedDict):
    #: The PDF to check
    file: bytes


class Webhook(TypedDict):
    id: str
    #: The URL deliveries are POSTed to
    url: str
    description: Optional[str]
    events: List[Literal["envelope.created", "envelope.sent", "envelope.completed", "envelope.declined", "envelope.voided", "envelope.expired", "recipient.viewed", "recipient.signed", "envelope.seal_delayed", "recipient.delivery_failed", "envelope.seal_failed", "*"]]
    #: False once disabled (after failing continuously for webhooks.disableAfterHours, or by PATCH)
    enabled: bool
    #: Why the endpoint was disabled
    disabledReason: Optional[str]
    #: Start of the current run of failed deliveries, null while healthy
    failingSince: Optional[str]
    createdAt: str


class WebhookAttempt(TypedDict):
    attempt: int
    at: str
    #: HTTP status answered, null if no response (timeout, refused, network policy)
    statusCode: Optional[int]
    durationMs: int
    #: Why the attempt failed, null on success
    error: Optional[str]


class _WebhookCreateRequired(TypedDict):
    #: http(s) URL that receives POSTs; no credentials in it
    url: str


class WebhookCreate(_WebhookCreateRequired, total=False):
    #: Event types to receive: envelope.created, envelope.sent, envelope.completed, envelope.declined, envelope.voided, envelope.expired, recipient.viewed, recipient.signed, envelope.seal_delayed, recipient.delivery_failed, envelope.seal_failed, or "*" for all. Default: all.
    events: List[str]
    description: str


class WebhookDelivery(TypedDict):
    id: str
    webhookId: str
    #: Also the webhook-id header: the same on every attempt and resend
    eventId: str
    #: An event type, or "*" for every type (including types added later)
    eventType: Literal["envelope.created", "envelope.sent", "envelope.completed", "envelope.declined", "envelope.voided", "envelope.expired", "recipient.viewed", "recipient.signed", "envelope.seal_delayed", "recipient.delivery_failed", "envelope.seal_failed", "*"]
    status: Literal["pending", "succeeded", "failed"]
    #: Attempts made so far
    attemptCount: int
    #: When the next attempt is due, while pending
    nextAttemptAt: Optional[str]
    lastStatusCode: Optional[int]
    lastError: Optional[str]
    lastDurationMs: Optional[int]
    createdAt: str
    updatedAt: str
    #: Attempts, newest first
    attempts: List[WebhookAttempt]


class WebhookDeliveryList(TypedDict):
    data: List[WebhookDelivery]
    #: Whether another page follows; pass the last id as startingAfter
    hasMore: bool


class WebhookList(TypedDict):
    data: List[Webhook]
    #: Whether another page follows; pass the last id as startingAfter
    hasMore: bool


class WebhookUpdate(TypedDict, total=False):
    url: str
    #: Event types to receive: envelope.created, envelope.sent, envelope.completed, envelope.declined, envelope.voided, envelope.expired, recipient.viewed, recipient.signed, envelope.seal_delayed, recipient.delivery_failed, envelope.seal_failed, or "*" for all. Default: all.
    events: List[str]
    description: Optional[str]
    #: true re-enables a disabled endpoint; false disables it (its pending deliveries fail)
    enabled: bool


__all__ = ["ApiKey", "ApiKeyList", "AuditSummary", "Batch", "BatchRowInput", "BulkSend", "BulkSendCsv", "CreatedApiKey", "CreatedWebhook", "DeletedWebhook", "Delivery", "Document", "DocumentList", "DocumentUploadJson", "DocumentUploadMultipart", "Envelope", "EnvelopeCreate", "EnvelopeCreateFromTemplate", "EnvelopeList", "EnvelopeUpdate", "Field", "FieldInput", "FormField", "Health", "Problem", "PurgedEnvelope", "Recipient", "RecipientCorrection", "RecipientInput", "SignatureReport", "SigningAuth", "SigningAuthCodeSent", "SigningComplete", "SigningDecline", "SigningReassign", "SigningReassigned", "SigningSession", "Template", "TemplateCreate", "TemplateFieldInput", "TemplateList", "TemplateRecipientInput", "TemplateRoleInput", "TemplateUpdate", "TextTag", "TimestampReport", "Verification", "VerifyUpload", "Webhook", "WebhookAttempt", "WebhookCreate", "WebhookDelivery", "WebhookDeliveryList", "WebhookList", "WebhookUpdate"]
