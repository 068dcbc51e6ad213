/**
 * The words of the pages Certyneo generates (certificate of completion, audit trail, signature
 * page), by language. English is the reference: every other language has exactly its keys.
 * Machine values (ids, hashes, statuses, event types, UTC times) are printed as they are, the
 * same in every language, so a reader can match them with the API and the audit data.
 */
import { textDirection, type Locale } from "../enums";

const EN = {
  envelopeId: "Envelope ID",
  subject: "Subject",
  status: "Status",
  created: "Created",
  sent: "Sent",
  completed: "Completed",
  certificateIssued: "Certificate issued",
  documentId: "Document ID",
  sha256Original: "SHA-256 (original)",
  email: "E-mail",
  role: "Role",
  signedUtc: "Signed (UTC)",
  ipAddress: "IP address",
  userAgent: "User agent",
  authentication: "Authentication",
  recipientId: "Recipient ID",
  reassignedFrom: "Reassigned from",
  signature: "Signature",
  roleSigner: "Signer",
  roleApprover: "Approver",
  roleCc: "Receives a copy (CC)",
  authLink: "Unique signing link sent by e-mail",
  authEmailOtp: "Signing link and a one-time code sent by e-mail to {to}",
  authSmsOtp: "Signing link and a one-time code sent by SMS to {to}",
  authAccessCode: "Signing link and the access code the sender gave",
  certificateTitle: "Certificate of Completion",
  certificateFooter: "Certificate of completion · Envelope {id}",
  envelopeLine: "Envelope {id} · {status}",
  sectionEnvelope: "Envelope",
  sectionDocuments: "Documents ({count})",
  sectionRecipients: "Recipients ({count})",
  sectionAbout: "About this certificate",
  sectionShortened: "Values shortened on the page",
  shortenedIntro: "These values did not fit their box and show there cut short (…). Here they are in full, as entered.",
  shortenedWhere: "{name}, page {page}",
  about:
    "Certyneo issued this certificate when the envelope was completed and appended it to the signed document before sealing it. " +
    "The electronic seal (PAdES) covers every page, this certificate included: a PDF validator such as Adobe Acrobat Reader " +
    "or poppler's pdfsig detects any change made afterwards. Each SHA-256 identifies a document as it was uploaded, before " +
    "signatures were placed in it. Every step of the envelope is recorded in its audit trail, a separate hash-chained record.",
  auditTitle: "Audit Trail",
  auditDocumentTitle: "Audit trail — {subject}",
  auditFooter: "Audit trail · Envelope {id} · Generated {time}",
  auditLine: "Envelope {id} · {status} · generated {time}",
  sectionChain: "Hash chain",
  sectionEvents: "Events ({count})",
  chainStatement:
    "Each event is a row of an append-only hash chain. The hash of each row is SHA-256 of the previous hash and the " +
    "event's canonical JSON; the first row's previous hash is 64 zeros. To verify the trail, recompute the hashes in " +
    "order from the recorded events and compare the result with the chain head below: changing, removing, reordering " +
    "or inserting any event changes every hash after it.",
  algorithm: "Algorithm",
  events: "Events",
  chainHead: "Chain head",
  links: "Links",
  verified: "Verified when this trail was generated ({time})",
  broken: "BROKEN: {reason}",
  brokenDefault: "the hashes do not match the events",
  noEvents: "No events recorded yet.",
  name: "Name",
  actor: "Actor",
  detail: "Detail",
  hash: "Hash",
  previousHash: "Previous hash",
  sha256Document: "SHA-256 document {n}",
  signaturesTitle: "Signatures",
  signaturePageFooter: "Signature page · {document}",
  signaturePageIntro: "Signed electronically with Certyneo. Each block shows the signature its signer gave and when.",
  signedAt: "Signed {time}",
  notSigned: "Not signed ({status})",
  noSignature: "No signature ({role})",
  pageOf: "Page {page} of {total}",
  devBanner: "DEVELOPMENT CERTIFICATE — NOT FOR PRODUCTION",
  devNote: "Sealed with this instance's self-signed development certificate: no legal value.",
};

export type ReportKey = keyof typeof EN;

export const REPORT_TEXTS: Record<Locale, Record<ReportKey, string>> = {
  en: EN,
  fr: {
    envelopeId: "ID de l’enveloppe", subject: "Objet", status: "Statut", created: "Créée", sent: "Envoyée", completed: "Terminée",
    certificateIssued: "Certificat émis", documentId: "ID du document", sha256Original: "SHA-256 (original)", email: "E-mail", role: "Rôle",
    signedUtc: "Signé (UTC)", ipAddress: "Adresse IP", userAgent: "Navigateur", authentication: "Authentification", recipientId: "ID du destinataire", reassignedFrom: "Réattribué par",
    signature: "Signature", roleSigner: "Signataire", roleApprover: "Approbateur", roleCc: "Reçoit une copie (CC)",
    authLink: "Lien de signature unique envoyé par e-mail", certificateTitle: "Certificat de complétion",
    authEmailOtp: "Lien de signature et code à usage unique envoyé par e-mail à {to}", authSmsOtp: "Lien de signature et code à usage unique envoyé par SMS au {to}", authAccessCode: "Lien de signature et code d’accès remis par l’expéditeur",
    certificateFooter: "Certificat de complétion · Enveloppe {id}", envelopeLine: "Enveloppe {id} · {status}", sectionEnvelope: "Enveloppe",
    sectionDocuments: "Documents ({count})", sectionRecipients: "Destinataires ({count})", sectionAbout: "À propos de ce certificat", sectionShortened: "Valeurs raccourcies sur la page", shortenedIntro: "Ces valeurs ne tenaient pas dans leur case et y apparaissent écourtées (…). Les voici en entier, telles que saisies.", shortenedWhere: "{name}, page {page}",
    about:
      "Certyneo a émis ce certificat quand l’enveloppe a été terminée et l’a ajouté au document signé avant de le sceller. " +
      "Le cachet électronique (PAdES) couvre chaque page, ce certificat compris : un validateur PDF comme Adobe Acrobat Reader " +
      "ou pdfsig de poppler détecte toute modification ultérieure. Chaque SHA-256 identifie un document tel qu’il a été téléversé, avant " +
      "que les signatures n’y soient placées. Chaque étape de l’enveloppe est consignée dans sa piste d’audit, un registre chaîné par hachage distinct.",
    auditTitle: "Piste d’audit", auditDocumentTitle: "Piste d’audit — {subject}", auditFooter: "Piste d’audit · Enveloppe {id} · Générée le {time}",
    auditLine: "Enveloppe {id} · {status} · générée le {time}", sectionChain: "Chaîne de hachage", sectionEvents: "Événements ({count})",
    chainStatement:
      "Chaque événement est une ligne d’une chaîne de hachage en ajout seul. Le hachage de chaque ligne est le SHA-256 du hachage précédent et du " +
      "JSON canonique de l’événement ; le hachage précédent de la première ligne vaut 64 zéros. Pour vérifier la piste, recalculez les hachages dans " +
      "l’ordre à partir des événements enregistrés et comparez le résultat à la tête de chaîne ci-dessous : modifier, supprimer, réordonner " +
      "ou insérer un événement change tous les hachages qui suivent.",
    algorithm: "Algorithme", events: "Événements", chainHead: "Tête de chaîne", links: "Liens",
    verified: "Vérifiée à la génération de cette piste ({time})", broken: "ROMPUE : {reason}", brokenDefault: "les hachages ne correspondent pas aux événements",
    noEvents: "Aucun événement enregistré pour l’instant.", name: "Nom", actor: "Acteur", detail: "Détail", hash: "Hachage", previousHash: "Hachage précédent",
    sha256Document: "SHA-256 document {n}", signaturesTitle: "Signatures", signaturePageFooter: "Page de signatures · {document}",
    signaturePageIntro: "Signé électroniquement avec Certyneo. Chaque bloc montre la signature donnée par son signataire, et quand.",
    signedAt: "Signé le {time}", notSigned: "Non signé ({status})", noSignature: "Sans signature ({role})", pageOf: "Page {page} sur {total}",
    devBanner: "CERTIFICAT DE DÉVELOPPEMENT — PAS POUR LA PRODUCTION",
    devNote: "Scellé avec le certificat de développement autosigné de cette instance : aucune valeur juridique.",
  },
  de: {
    envelopeId: "Umschlag-ID", subject: "Betreff", status: "Status", created: "Erstellt", sent: "Gesendet", completed: "Abgeschlossen",
    certificateIssued: "Zertifikat ausgestellt", documentId: "Dokument-ID", sha256Original: "SHA-256 (Original)", email: "E-Mail", role: "Rolle",
    signedUtc: "Unterschrieben (UTC)", ipAddress: "IP-Adresse", userAgent: "Browser", authentication: "Authentifizierung", recipientId: "Empfänger-ID", reassignedFrom: "Weitergegeben von",
    signature: "Unterschrift", roleSigner: "Unterzeichner", roleApprover: "Genehmiger", roleCc: "Erhält eine Kopie (CC)",
    authLink: "Persönlicher Unterschriftslink per E-Mail", certificateTitle: "Abschlusszertifikat",
    authEmailOtp: "Unterschriftslink und Einmalcode per E-Mail an {to}", authSmsOtp: "Unterschriftslink und Einmalcode per SMS an {to}", authAccessCode: "Unterschriftslink und vom Absender übergebener Zugangscode",
    certificateFooter: "Abschlusszertifikat · Umschlag {id}", envelopeLine: "Umschlag {id} · {status}", sectionEnvelope: "Umschlag",
    sectionDocuments: "Dokumente ({count})", sectionRecipients: "Empfänger ({count})", sectionAbout: "Über dieses Zertifikat", sectionShortened: "Auf der Seite gekürzte Werte", shortenedIntro: "Diese Werte passten nicht in ihr Feld und erscheinen dort gekürzt (…). Hier stehen sie vollständig, wie eingegeben.", shortenedWhere: "{name}, Seite {page}",
    about:
      "Certyneo hat dieses Zertifikat beim Abschluss des Umschlags ausgestellt und vor dem Versiegeln an das unterschriebene Dokument angehängt. " +
      "Das elektronische Siegel (PAdES) deckt jede Seite ab, dieses Zertifikat eingeschlossen: Ein PDF-Prüfprogramm wie Adobe Acrobat Reader " +
      "oder pdfsig von poppler erkennt jede spätere Änderung. Jeder SHA-256 kennzeichnet ein Dokument so, wie es hochgeladen wurde, bevor " +
      "Unterschriften eingefügt wurden. Jeder Schritt des Umschlags ist in seinem Prüfprotokoll festgehalten, einer eigenen Hash-Kette.",
    auditTitle: "Prüfprotokoll", auditDocumentTitle: "Prüfprotokoll — {subject}", auditFooter: "Prüfprotokoll · Umschlag {id} · Erstellt {time}",
    auditLine: "Umschlag {id} · {status} · erstellt {time}", sectionChain: "Hash-Kette", sectionEvents: "Ereignisse ({count})",
    chainStatement:
      "Jedes Ereignis ist eine Zeile einer nur erweiterbaren Hash-Kette. Der Hash jeder Zeile ist der SHA-256 des vorherigen Hashes und des " +
      "kanonischen JSON des Ereignisses; der vorherige Hash der ersten Zeile besteht aus 64 Nullen. Zur Prüfung berechnen Sie die Hashes " +
      "der Reihe nach aus den erfassten Ereignissen neu und vergleichen das Ergebnis mit dem Kettenkopf unten: Jede Änderung, Entfernung, " +
      "Umordnung oder Einfügung eines Ereignisses ändert alle folgenden Hashes.",
    algorithm: "Algorithmus", events: "Ereignisse", chainHead: "Kettenkopf", links: "Verkettung",
    verified: "Geprüft bei der Erstellung dieses Protokolls ({time})", broken: "GEBROCHEN: {reason}", brokenDefault: "die Hashes passen nicht zu den Ereignissen",
    noEvents: "Noch keine Ereignisse erfasst.", name: "Name", actor: "Akteur", detail: "Einzelheiten", hash: "Hash", previousHash: "Vorheriger Hash",
    sha256Document: "SHA-256 Dokument {n}", signaturesTitle: "Unterschriften", signaturePageFooter: "Unterschriftenseite · {document}",
    signaturePageIntro: "Elektronisch unterschrieben mit Certyneo. Jeder Block zeigt die Unterschrift seines Unterzeichners und den Zeitpunkt.",
    signedAt: "Unterschrieben {time}", notSigned: "Nicht unterschrieben ({status})", noSignature: "Keine Unterschrift ({role})", pageOf: "Seite {page} von {total}",
    devBanner: "ENTWICKLUNGSZERTIFIKAT — NICHT FÜR DEN PRODUKTIVBETRIEB",
    devNote: "Versiegelt mit dem selbstsignierten Entwicklungszertifikat dieser Instanz: ohne Rechtswirkung.",
  },
  es: {
    envelopeId: "ID del sobre", subject: "Asunto", status: "Estado", created: "Creado", sent: "Enviado", completed: "Completado",
    certificateIssued: "Certificado emitido", documentId: "ID del documento", sha256Original: "SHA-256 (original)", email: "Correo electrónico", role: "Función",
    signedUtc: "Firmado (UTC)", ipAddress: "Dirección IP", userAgent: "Navegador", authentication: "Autenticación", recipientId: "ID del destinatario", reassignedFrom: "Reasignado por",
    signature: "Firma", roleSigner: "Firmante", roleApprover: "Aprobador", roleCc: "Recibe una copia (CC)",
    authLink: "Enlace de firma único enviado por correo electrónico", certificateTitle: "Certificado de finalización",
    authEmailOtp: "Enlace de firma y código de un solo uso enviado por correo a {to}", authSmsOtp: "Enlace de firma y código de un solo uso enviado por SMS al {to}", authAccessCode: "Enlace de firma y código de acceso entregado por el remitente",
    certificateFooter: "Certificado de finalización · Sobre {id}", envelopeLine: "Sobre {id} · {status}", sectionEnvelope: "Sobre",
    sectionDocuments: "Documentos ({count})", sectionRecipients: "Destinatarios ({count})", sectionAbout: "Acerca de este certificado", sectionShortened: "Valores acortados en la página", shortenedIntro: "Estos valores no cabían en su casilla y aparecen allí recortados (…). Aquí figuran completos, tal como se introdujeron.", shortenedWhere: "{name}, página {page}",
    about:
      "Certyneo emitió este certificado cuando se completó el sobre y lo añadió al documento firmado antes de sellarlo. " +
      "El sello electrónico (PAdES) cubre todas las páginas, incluido este certificado: un validador de PDF como Adobe Acrobat Reader " +
      "o pdfsig de poppler detecta cualquier cambio posterior. Cada SHA-256 identifica un documento tal como se subió, antes " +
      "de colocar las firmas. Cada paso del sobre queda registrado en su registro de auditoría, un registro encadenado por hash aparte.",
    auditTitle: "Registro de auditoría", auditDocumentTitle: "Registro de auditoría — {subject}", auditFooter: "Registro de auditoría · Sobre {id} · Generado {time}",
    auditLine: "Sobre {id} · {status} · generado {time}", sectionChain: "Cadena de hash", sectionEvents: "Eventos ({count})",
    chainStatement:
      "Cada evento es una fila de una cadena de hash de solo anexado. El hash de cada fila es el SHA-256 del hash anterior y del " +
      "JSON canónico del evento; el hash anterior de la primera fila son 64 ceros. Para verificar el registro, recalcule los hashes en " +
      "orden a partir de los eventos registrados y compare el resultado con la cabeza de la cadena indicada abajo: cambiar, eliminar, reordenar " +
      "o insertar cualquier evento cambia todos los hashes posteriores.",
    algorithm: "Algoritmo", events: "Eventos", chainHead: "Cabeza de la cadena", links: "Enlaces",
    verified: "Verificada al generar este registro ({time})", broken: "ROTA: {reason}", brokenDefault: "los hashes no coinciden con los eventos",
    noEvents: "Aún no hay eventos registrados.", name: "Nombre", actor: "Actor", detail: "Detalle", hash: "Hash", previousHash: "Hash anterior",
    sha256Document: "SHA-256 documento {n}", signaturesTitle: "Firmas", signaturePageFooter: "Página de firmas · {document}",
    signaturePageIntro: "Firmado electrónicamente con Certyneo. Cada bloque muestra la firma que dio su firmante y cuándo.",
    signedAt: "Firmado {time}", notSigned: "No firmado ({status})", noSignature: "Sin firma ({role})", pageOf: "Página {page} de {total}",
    devBanner: "CERTIFICADO DE DESARROLLO — NO APTO PARA PRODUCCIÓN",
    devNote: "Sellado con el certificado de desarrollo autofirmado de esta instancia: sin valor legal.",
  },
  it: {
    envelopeId: "ID busta", subject: "Oggetto", status: "Stato", created: "Creata", sent: "Inviata", completed: "Completata",
    certificateIssued: "Certificato emesso", documentId: "ID documento", sha256Original: "SHA-256 (originale)", email: "E-mail", role: "Ruolo",
    signedUtc: "Firmato (UTC)", ipAddress: "Indirizzo IP", userAgent: "Browser", authentication: "Autenticazione", recipientId: "ID destinatario", reassignedFrom: "Riassegnato da",
    signature: "Firma", roleSigner: "Firmatario", roleApprover: "Approvatore", roleCc: "Riceve una copia (CC)",
    authLink: "Link di firma personale inviato via e-mail", certificateTitle: "Certificato di completamento",
    authEmailOtp: "Link di firma e codice monouso inviato via e-mail a {to}", authSmsOtp: "Link di firma e codice monouso inviato via SMS al {to}", authAccessCode: "Link di firma e codice di accesso fornito dal mittente",
    certificateFooter: "Certificato di completamento · Busta {id}", envelopeLine: "Busta {id} · {status}", sectionEnvelope: "Busta",
    sectionDocuments: "Documenti ({count})", sectionRecipients: "Destinatari ({count})", sectionAbout: "Informazioni su questo certificato", sectionShortened: "Valori abbreviati nella pagina", shortenedIntro: "Questi valori non entravano nel loro riquadro e vi appaiono troncati (…). Eccoli per intero, come inseriti.", shortenedWhere: "{name}, pagina {page}",
    about:
      "Certyneo ha emesso questo certificato al completamento della busta e lo ha aggiunto al documento firmato prima di sigillarlo. " +
      "Il sigillo elettronico (PAdES) copre ogni pagina, compreso questo certificato: un validatore PDF come Adobe Acrobat Reader " +
      "o pdfsig di poppler rileva qualsiasi modifica successiva. Ogni SHA-256 identifica un documento così come è stato caricato, prima " +
      "che vi fossero apposte le firme. Ogni passaggio della busta è registrato nel suo registro di controllo, un registro concatenato con hash separato.",
    auditTitle: "Registro di controllo", auditDocumentTitle: "Registro di controllo — {subject}", auditFooter: "Registro di controllo · Busta {id} · Generato {time}",
    auditLine: "Busta {id} · {status} · generato {time}", sectionChain: "Catena di hash", sectionEvents: "Eventi ({count})",
    chainStatement:
      "Ogni evento è una riga di una catena di hash a sola aggiunta. L'hash di ogni riga è lo SHA-256 dell'hash precedente e del " +
      "JSON canonico dell'evento; l'hash precedente della prima riga è composto da 64 zeri. Per verificare il registro, ricalcola gli hash in " +
      "ordine dagli eventi registrati e confronta il risultato con la testa della catena qui sotto: modificare, rimuovere, riordinare " +
      "o inserire un evento cambia tutti gli hash successivi.",
    algorithm: "Algoritmo", events: "Eventi", chainHead: "Testa della catena", links: "Collegamenti",
    verified: "Verificata alla generazione di questo registro ({time})", broken: "INTERROTTA: {reason}", brokenDefault: "gli hash non corrispondono agli eventi",
    noEvents: "Nessun evento ancora registrato.", name: "Nome", actor: "Attore", detail: "Dettaglio", hash: "Hash", previousHash: "Hash precedente",
    sha256Document: "SHA-256 documento {n}", signaturesTitle: "Firme", signaturePageFooter: "Pagina delle firme · {document}",
    signaturePageIntro: "Firmato elettronicamente con Certyneo. Ogni blocco mostra la firma data dal suo firmatario e quando.",
    signedAt: "Firmato {time}", notSigned: "Non firmato ({status})", noSignature: "Nessuna firma ({role})", pageOf: "Pagina {page} di {total}",
    devBanner: "CERTIFICATO DI SVILUPPO — NON PER LA PRODUZIONE",
    devNote: "Sigillato con il certificato di sviluppo autofirmato di questa istanza: nessun valore legale.",
  },
  pt: {
    envelopeId: "ID do envelope", subject: "Assunto", status: "Estado", created: "Criado", sent: "Enviado", completed: "Concluído",
    certificateIssued: "Certificado emitido", documentId: "ID do documento", sha256Original: "SHA-256 (original)", email: "E-mail", role: "Função",
    signedUtc: "Assinado (UTC)", ipAddress: "Endereço IP", userAgent: "Navegador", authentication: "Autenticação", recipientId: "ID do destinatário", reassignedFrom: "Reatribuído por",
    signature: "Assinatura", roleSigner: "Signatário", roleApprover: "Aprovador", roleCc: "Recebe uma cópia (CC)",
    authLink: "Ligação de assinatura única enviada por e-mail", certificateTitle: "Certificado de conclusão",
    authEmailOtp: "Ligação de assinatura e código de utilização única enviado por e-mail para {to}", authSmsOtp: "Ligação de assinatura e código de utilização única enviado por SMS para {to}", authAccessCode: "Ligação de assinatura e código de acesso dado pelo remetente",
    certificateFooter: "Certificado de conclusão · Envelope {id}", envelopeLine: "Envelope {id} · {status}", sectionEnvelope: "Envelope",
    sectionDocuments: "Documentos ({count})", sectionRecipients: "Destinatários ({count})", sectionAbout: "Sobre este certificado", sectionShortened: "Valores encurtados na página", shortenedIntro: "Estes valores não cabiam na sua caixa e aparecem lá cortados (…). Aqui estão completos, tal como foram introduzidos.", shortenedWhere: "{name}, página {page}",
    about:
      "O Certyneo emitiu este certificado quando o envelope foi concluído e juntou-o ao documento assinado antes de o selar. " +
      "O selo eletrónico (PAdES) cobre todas as páginas, incluindo este certificado: um validador de PDF como o Adobe Acrobat Reader " +
      "ou o pdfsig do poppler deteta qualquer alteração posterior. Cada SHA-256 identifica um documento tal como foi carregado, antes " +
      "de as assinaturas lhe serem apostas. Cada passo do envelope fica registado no seu registo de auditoria, um registo encadeado por hash à parte.",
    auditTitle: "Registo de auditoria", auditDocumentTitle: "Registo de auditoria — {subject}", auditFooter: "Registo de auditoria · Envelope {id} · Gerado {time}",
    auditLine: "Envelope {id} · {status} · gerado {time}", sectionChain: "Cadeia de hash", sectionEvents: "Eventos ({count})",
    chainStatement:
      "Cada evento é uma linha de uma cadeia de hash só de acrescento. O hash de cada linha é o SHA-256 do hash anterior e do " +
      "JSON canónico do evento; o hash anterior da primeira linha são 64 zeros. Para verificar o registo, recalcule os hashes por " +
      "ordem a partir dos eventos registados e compare o resultado com a cabeça da cadeia abaixo: alterar, remover, reordenar " +
      "ou inserir qualquer evento altera todos os hashes seguintes.",
    algorithm: "Algoritmo", events: "Eventos", chainHead: "Cabeça da cadeia", links: "Ligações",
    verified: "Verificada quando este registo foi gerado ({time})", broken: "QUEBRADA: {reason}", brokenDefault: "os hashes não correspondem aos eventos",
    noEvents: "Ainda não há eventos registados.", name: "Nome", actor: "Ator", detail: "Detalhe", hash: "Hash", previousHash: "Hash anterior",
    sha256Document: "SHA-256 documento {n}", signaturesTitle: "Assinaturas", signaturePageFooter: "Página de assinaturas · {document}",
    signaturePageIntro: "Assinado eletronicamente com o Certyneo. Cada bloco mostra a assinatura que o signatário deu e quando.",
    signedAt: "Assinado {time}", notSigned: "Não assinado ({status})", noSignature: "Sem assinatura ({role})", pageOf: "Página {page} de {total}",
    devBanner: "CERTIFICADO DE DESENVOLVIMENTO — NÃO PARA PRODUÇÃO",
    devNote: "Selado com o certificado de desenvolvimento autoassinado desta instância: sem valor legal.",
  },
  nl: {
    envelopeId: "Envelop-ID", subject: "Onderwerp", status: "Status", created: "Aangemaakt", sent: "Verzonden", completed: "Voltooid",
    certificateIssued: "Certificaat uitgegeven", documentId: "Document-ID", sha256Original: "SHA-256 (origineel)", email: "E-mail", role: "Rol",
    signedUtc: "Ondertekend (UTC)", ipAddress: "IP-adres", userAgent: "Browser", authentication: "Authenticatie", recipientId: "Ontvanger-ID", reassignedFrom: "Overgedragen door",
    signature: "Handtekening", roleSigner: "Ondertekenaar", roleApprover: "Goedkeurder", roleCc: "Ontvangt een kopie (CC)",
    authLink: "Persoonlijke ondertekeningslink per e-mail", certificateTitle: "Voltooiingscertificaat",
    authEmailOtp: "Ondertekeningslink en eenmalige code per e-mail naar {to}", authSmsOtp: "Ondertekeningslink en eenmalige code per sms naar {to}", authAccessCode: "Ondertekeningslink en toegangscode van de afzender",
    certificateFooter: "Voltooiingscertificaat · Envelop {id}", envelopeLine: "Envelop {id} · {status}", sectionEnvelope: "Envelop",
    sectionDocuments: "Documenten ({count})", sectionRecipients: "Ontvangers ({count})", sectionAbout: "Over dit certificaat", sectionShortened: "Ingekorte waarden op de pagina", shortenedIntro: "Deze waarden pasten niet in hun vak en staan daar ingekort (…). Hier staan ze volledig, zoals ingevoerd.", shortenedWhere: "{name}, pagina {page}",
    about:
      "Certyneo gaf dit certificaat uit toen de envelop werd voltooid en voegde het aan het ondertekende document toe voordat het werd verzegeld. " +
      "Het elektronische zegel (PAdES) dekt elke pagina, dit certificaat inbegrepen: een pdf-validator zoals Adobe Acrobat Reader " +
      "of pdfsig van poppler ziet elke latere wijziging. Elke SHA-256 identificeert een document zoals het werd geüpload, voordat " +
      "er handtekeningen in werden geplaatst. Elke stap van de envelop staat in het controlelogboek, een aparte hashketen.",
    auditTitle: "Controlelogboek", auditDocumentTitle: "Controlelogboek — {subject}", auditFooter: "Controlelogboek · Envelop {id} · Gemaakt {time}",
    auditLine: "Envelop {id} · {status} · gemaakt {time}", sectionChain: "Hashketen", sectionEvents: "Gebeurtenissen ({count})",
    chainStatement:
      "Elke gebeurtenis is een regel van een hashketen waaraan alleen wordt toegevoegd. De hash van elke regel is de SHA-256 van de vorige hash en de " +
      "canonieke JSON van de gebeurtenis; de vorige hash van de eerste regel is 64 nullen. Om het logboek te controleren, berekent u de hashes " +
      "op volgorde opnieuw uit de vastgelegde gebeurtenissen en vergelijkt u het resultaat met de kop van de keten hieronder: het wijzigen, verwijderen, " +
      "herschikken of invoegen van een gebeurtenis verandert elke hash daarna.",
    algorithm: "Algoritme", events: "Gebeurtenissen", chainHead: "Kop van de keten", links: "Schakels",
    verified: "Gecontroleerd bij het maken van dit logboek ({time})", broken: "GEBROKEN: {reason}", brokenDefault: "de hashes komen niet overeen met de gebeurtenissen",
    noEvents: "Nog geen gebeurtenissen vastgelegd.", name: "Naam", actor: "Actor", detail: "Details", hash: "Hash", previousHash: "Vorige hash",
    sha256Document: "SHA-256 document {n}", signaturesTitle: "Handtekeningen", signaturePageFooter: "Handtekeningenpagina · {document}",
    signaturePageIntro: "Elektronisch ondertekend met Certyneo. Elk blok toont de handtekening van de ondertekenaar en wanneer.",
    signedAt: "Ondertekend {time}", notSigned: "Niet ondertekend ({status})", noSignature: "Geen handtekening ({role})", pageOf: "Pagina {page} van {total}",
    devBanner: "ONTWIKKELCERTIFICAAT — NIET VOOR PRODUCTIE",
    devNote: "Verzegeld met het zelfondertekende ontwikkelcertificaat van deze installatie: geen juridische waarde.",
  },
  el: {
    envelopeId: "Αναγνωριστικό φακέλου", subject: "Θέμα", status: "Κατάσταση", created: "Δημιουργήθηκε", sent: "Στάλθηκε", completed: "Ολοκληρώθηκε",
    certificateIssued: "Έκδοση πιστοποιητικού", documentId: "Αναγνωριστικό εγγράφου", sha256Original: "SHA-256 (πρωτότυπο)", email: "E-mail", role: "Ρόλος",
    signedUtc: "Υπογραφή (UTC)", ipAddress: "Διεύθυνση IP", userAgent: "Πρόγραμμα περιήγησης", authentication: "Ταυτοποίηση", recipientId: "Αναγνωριστικό παραλήπτη", reassignedFrom: "Μεταβιβάστηκε από",
    signature: "Υπογραφή", roleSigner: "Υπογράφων", roleApprover: "Εγκρίνων", roleCc: "Λαμβάνει αντίγραφο (CC)",
    authLink: "Μοναδικός σύνδεσμος υπογραφής μέσω e-mail", certificateTitle: "Πιστοποιητικό ολοκλήρωσης",
    authEmailOtp: "Σύνδεσμος υπογραφής και κωδικός μίας χρήσης με e-mail στο {to}", authSmsOtp: "Σύνδεσμος υπογραφής και κωδικός μίας χρήσης με SMS στο {to}", authAccessCode: "Σύνδεσμος υπογραφής και κωδικός πρόσβασης από τον αποστολέα",
    certificateFooter: "Πιστοποιητικό ολοκλήρωσης · Φάκελος {id}", envelopeLine: "Φάκελος {id} · {status}", sectionEnvelope: "Φάκελος",
    sectionDocuments: "Έγγραφα ({count})", sectionRecipients: "Παραλήπτες ({count})", sectionAbout: "Σχετικά με αυτό το πιστοποιητικό", sectionShortened: "Τιμές που συντομεύτηκαν στη σελίδα", shortenedIntro: "Αυτές οι τιμές δεν χωρούσαν στο πλαίσιό τους και εμφανίζονται εκεί περικομμένες (…). Εδώ δίνονται ολόκληρες, όπως καταχωρίστηκαν.", shortenedWhere: "{name}, σελίδα {page}",
    about:
      "Το Certyneo εξέδωσε αυτό το πιστοποιητικό όταν ολοκληρώθηκε ο φάκελος και το προσάρτησε στο υπογεγραμμένο έγγραφο πριν το σφραγίσει. " +
      "Η ηλεκτρονική σφραγίδα (PAdES) καλύπτει κάθε σελίδα, μαζί και αυτό το πιστοποιητικό: ένα πρόγραμμα επικύρωσης PDF όπως το Adobe Acrobat Reader " +
      "ή το pdfsig του poppler εντοπίζει κάθε μεταγενέστερη αλλαγή. Κάθε SHA-256 ταυτοποιεί ένα έγγραφο όπως ανέβηκε, πριν " +
      "τοποθετηθούν σε αυτό υπογραφές. Κάθε βήμα του φακέλου καταγράφεται στο ίχνος ελέγχου του, ένα χωριστό αρχείο αλυσίδας κατακερματισμού.",
    auditTitle: "Ίχνος ελέγχου", auditDocumentTitle: "Ίχνος ελέγχου — {subject}", auditFooter: "Ίχνος ελέγχου · Φάκελος {id} · Δημιουργήθηκε {time}",
    auditLine: "Φάκελος {id} · {status} · δημιουργήθηκε {time}", sectionChain: "Αλυσίδα κατακερματισμού", sectionEvents: "Συμβάντα ({count})",
    chainStatement:
      "Κάθε συμβάν είναι μια γραμμή μιας αλυσίδας κατακερματισμού στην οποία μόνο προστίθενται γραμμές. Ο κατακερματισμός κάθε γραμμής είναι το SHA-256 του προηγούμενου " +
      "κατακερματισμού και του κανονικού JSON του συμβάντος· ο προηγούμενος κατακερματισμός της πρώτης γραμμής είναι 64 μηδενικά. Για να επαληθεύσετε το ίχνος, " +
      "υπολογίστε ξανά τους κατακερματισμούς με τη σειρά από τα καταγεγραμμένα συμβάντα και συγκρίνετε το αποτέλεσμα με την κεφαλή της αλυσίδας παρακάτω: " +
      "η αλλαγή, αφαίρεση, αναδιάταξη ή εισαγωγή οποιουδήποτε συμβάντος αλλάζει κάθε επόμενο κατακερματισμό.",
    algorithm: "Αλγόριθμος", events: "Συμβάντα", chainHead: "Κεφαλή αλυσίδας", links: "Σύνδεσμοι",
    verified: "Επαληθεύτηκε κατά τη δημιουργία αυτού του ίχνους ({time})", broken: "ΣΠΑΣΜΕΝΗ: {reason}", brokenDefault: "οι κατακερματισμοί δεν ταιριάζουν με τα συμβάντα",
    noEvents: "Δεν έχουν καταγραφεί ακόμη συμβάντα.", name: "Όνομα", actor: "Ενεργών", detail: "Λεπτομέρειες", hash: "Κατακερματισμός", previousHash: "Προηγούμενος κατακερματισμός",
    sha256Document: "SHA-256 εγγράφου {n}", signaturesTitle: "Υπογραφές", signaturePageFooter: "Σελίδα υπογραφών · {document}",
    signaturePageIntro: "Υπογράφηκε ηλεκτρονικά με το Certyneo. Κάθε πλαίσιο δείχνει την υπογραφή του υπογράφοντος και πότε δόθηκε.",
    signedAt: "Υπογραφή {time}", notSigned: "Δεν υπογράφηκε ({status})", noSignature: "Χωρίς υπογραφή ({role})", pageOf: "Σελίδα {page} από {total}",
    devBanner: "ΠΙΣΤΟΠΟΙΗΤΙΚΟ ΑΝΑΠΤΥΞΗΣ — ΟΧΙ ΓΙΑ ΠΑΡΑΓΩΓΗ",
    devNote: "Σφραγίστηκε με το αυτοϋπογεγραμμένο πιστοποιητικό ανάπτυξης αυτής της εγκατάστασης: χωρίς νομική ισχύ.",
  },
  ar: {
    envelopeId: "معرّف المغلف", subject: "الموضوع", status: "الحالة", created: "تاريخ الإنشاء", sent: "تاريخ الإرسال", completed: "تاريخ الاكتمال",
    certificateIssued: "تاريخ إصدار الشهادة", documentId: "معرّف المستند", sha256Original: "SHA-256 (الأصل)", email: "البريد الإلكتروني", role: "الدور",
    signedUtc: "التوقيع (UTC)", ipAddress: "عنوان IP", userAgent: "المتصفح", authentication: "التحقق من الهوية", recipientId: "معرّف المستلم", reassignedFrom: "أُسند من",
    signature: "التوقيع", roleSigner: "موقّع", roleApprover: "موافِق", roleCc: "يتلقى نسخة (CC)",
    authLink: "رابط توقيع فريد أُرسل بالبريد الإلكتروني", certificateTitle: "شهادة الإتمام",
    authEmailOtp: "رابط التوقيع ورمز لمرة واحدة بالبريد الإلكتروني إلى {to}", authSmsOtp: "رابط التوقيع ورمز لمرة واحدة برسالة نصية إلى {to}", authAccessCode: "رابط التوقيع ورمز وصول من المرسل",
    certificateFooter: "شهادة الإتمام · المغلف {id}", envelopeLine: "المغلف {id} · {status}", sectionEnvelope: "المغلف",
    sectionDocuments: "المستندات ({count})", sectionRecipients: "المستلمون ({count})", sectionAbout: "حول هذه الشهادة", sectionShortened: "قيم مختصرة في الصفحة", shortenedIntro: "لم تتسع هذه القيم لخاناتها فظهرت فيها مقتطعة (…). وهي هنا كاملة كما أُدخلت.", shortenedWhere: "{name}، الصفحة {page}",
    about:
      "أصدر Certyneo هذه الشهادة عند اكتمال المغلف، وألحقها بالمستند الموقّع قبل ختمه. " +
      "يشمل الختم الإلكتروني (PAdES) كل صفحة، بما فيها هذه الشهادة: يكشف أي برنامج للتحقق من ملفات PDF، مثل Adobe Acrobat Reader " +
      "أو pdfsig من poppler، أي تغيير لاحق. يعرّف كل SHA-256 مستندًا كما رُفع، قبل أن " +
      "توضع عليه أي توقيعات. وتُسجَّل كل خطوة من خطوات المغلف في سجل التدقيق الخاص به، وهو ملف مستقل على شكل سلسلة تجزئة.",
    auditTitle: "سجل التدقيق", auditDocumentTitle: "سجل التدقيق — {subject}", auditFooter: "سجل التدقيق · المغلف {id} · أُنشئ في {time}",
    auditLine: "المغلف {id} · {status} · أُنشئ في {time}", sectionChain: "سلسلة التجزئة", sectionEvents: "الأحداث ({count})",
    chainStatement:
      "كل حدث سطر في سلسلة تجزئة لا يُضاف إليها إلا في آخرها. تجزئة كل سطر هي SHA-256 للتجزئة السابقة " +
      "ولـ JSON القانوني للحدث؛ والتجزئة السابقة للسطر الأول 64 صفرًا. للتحقق من السجل، " +
      "أعد حساب التجزئات بالترتيب من الأحداث المسجلة وقارن النتيجة برأس السلسلة أدناه: " +
      "تغيير أي حدث أو حذفه أو إعادة ترتيبه أو إدراج حدث جديد يغيّر كل تجزئة بعده.",
    algorithm: "الخوارزمية", events: "الأحداث", chainHead: "رأس السلسلة", links: "الحلقات",
    verified: "تم التحقق عند إنشاء هذا السجل ({time})", broken: "مكسورة: {reason}", brokenDefault: "التجزئات لا تطابق الأحداث",
    noEvents: "لم يُسجَّل أي حدث بعد.", name: "الاسم", actor: "المنفّذ", detail: "التفاصيل", hash: "التجزئة", previousHash: "التجزئة السابقة",
    sha256Document: "SHA-256 للمستند {n}", signaturesTitle: "التوقيعات", signaturePageFooter: "صفحة التوقيعات · {document}",
    signaturePageIntro: "وُقّع إلكترونيًا عبر Certyneo. يعرض كل إطار توقيع الموقّع ووقت توقيعه.",
    signedAt: "وُقّع في {time}", notSigned: "لم يوقّع ({status})", noSignature: "بلا توقيع ({role})", pageOf: "الصفحة {page} من {total}",
    devBanner: "شهادة تطوير — ليست للاستخدام الفعلي",
    devNote: "خُتم بشهادة التطوير الموقّعة ذاتيًا لهذا التثبيت: لا قيمة قانونية له.",
  },
};


/**
 * Event labels beside each audit event's type (English derives them from the type). A type
 * missing here (a newer one) shows as its raw type, which is always printed anyway.
 */
export const EVENT_LABELS: Record<Exclude<Locale, "en">, Record<string, string>> = {
  fr: {
    "envelope.created": "Enveloppe créée",
    "envelope.updated": "Enveloppe modifiée",
    "envelope.sent": "Enveloppe envoyée",
    "envelope.completed": "Enveloppe terminée",
    "envelope.sealed": "Enveloppe scellée",
    "envelope.voided": "Enveloppe annulée",
    "envelope.expired": "Enveloppe expirée",
    "envelope.seal_failed": "Scellement échoué",
    "envelope.seal_delayed": "Scellement différé",
    "envelope.seal_extended": "Scellement prolongé",
    "recipient.invited": "Destinataire invité",
    "recipient.reminded": "Destinataire relancé",
    "recipient.viewed": "Destinataire a consulté",
    "recipient.signed": "Destinataire a signé",
    "recipient.approved": "Destinataire a approuvé",
    "recipient.declined": "Destinataire a refusé",
    "document.downloaded": "Document téléchargé",
    "message.delivered": "Message remis",
    "message.failed": "Message non remis",
    "recipient.auth_code_sent": "Code envoyé",
    "recipient.auth_failed": "Code erroné",
    "recipient.auth_locked": "Authentification bloquée",
    "recipient.authenticated": "Destinataire authentifié",
  },
  de: {
    "envelope.created": "Umschlag erstellt",
    "envelope.updated": "Umschlag geändert",
    "envelope.sent": "Umschlag gesendet",
    "envelope.completed": "Umschlag abgeschlossen",
    "envelope.sealed": "Umschlag versiegelt",
    "envelope.voided": "Umschlag storniert",
    "envelope.expired": "Umschlag abgelaufen",
    "envelope.seal_failed": "Versiegelung fehlgeschlagen",
    "envelope.seal_delayed": "Versiegelung verzögert",
    "envelope.seal_extended": "Versiegelung erweitert",
    "recipient.invited": "Empfänger eingeladen",
    "recipient.reminded": "Empfänger erinnert",
    "recipient.viewed": "Empfänger hat geöffnet",
    "recipient.signed": "Empfänger hat unterschrieben",
    "recipient.approved": "Empfänger hat genehmigt",
    "recipient.declined": "Empfänger hat abgelehnt",
    "document.downloaded": "Dokument heruntergeladen",
    "message.delivered": "Nachricht zugestellt",
    "message.failed": "Nachricht nicht zugestellt",
    "recipient.auth_code_sent": "Code gesendet",
    "recipient.auth_failed": "Falscher Code",
    "recipient.auth_locked": "Authentifizierung gesperrt",
    "recipient.authenticated": "Empfänger authentifiziert",
  },
  es: {
    "envelope.created": "Sobre creado",
    "envelope.updated": "Sobre modificado",
    "envelope.sent": "Sobre enviado",
    "envelope.completed": "Sobre completado",
    "envelope.sealed": "Sobre sellado",
    "envelope.voided": "Sobre anulado",
    "envelope.expired": "Sobre caducado",
    "envelope.seal_failed": "Sellado fallido",
    "envelope.seal_delayed": "Sellado aplazado",
    "envelope.seal_extended": "Sellado ampliado",
    "recipient.invited": "Destinatario invitado",
    "recipient.reminded": "Recordatorio enviado",
    "recipient.viewed": "Destinatario lo abrió",
    "recipient.signed": "Destinatario firmó",
    "recipient.approved": "Destinatario aprobó",
    "recipient.declined": "Destinatario rechazó",
    "document.downloaded": "Documento descargado",
    "message.delivered": "Mensaje entregado",
    "message.failed": "Mensaje no entregado",
    "recipient.auth_code_sent": "Código enviado",
    "recipient.auth_failed": "Código incorrecto",
    "recipient.auth_locked": "Autenticación bloqueada",
    "recipient.authenticated": "Destinatario autenticado",
  },
  it: {
    "envelope.created": "Busta creata",
    "envelope.updated": "Busta modificata",
    "envelope.sent": "Busta inviata",
    "envelope.completed": "Busta completata",
    "envelope.sealed": "Busta sigillata",
    "envelope.voided": "Busta annullata",
    "envelope.expired": "Busta scaduta",
    "envelope.seal_failed": "Sigillatura fallita",
    "envelope.seal_delayed": "Sigillatura rinviata",
    "envelope.seal_extended": "Sigillatura estesa",
    "recipient.invited": "Destinatario invitato",
    "recipient.reminded": "Promemoria inviato",
    "recipient.viewed": "Destinatario ha aperto",
    "recipient.signed": "Destinatario ha firmato",
    "recipient.approved": "Destinatario ha approvato",
    "recipient.declined": "Destinatario ha rifiutato",
    "document.downloaded": "Documento scaricato",
    "message.delivered": "Messaggio recapitato",
    "message.failed": "Messaggio non recapitato",
    "recipient.auth_code_sent": "Codice inviato",
    "recipient.auth_failed": "Codice errato",
    "recipient.auth_locked": "Autenticazione bloccata",
    "recipient.authenticated": "Destinatario autenticato",
  },
  pt: {
    "envelope.created": "Envelope criado",
    "envelope.updated": "Envelope alterado",
    "envelope.sent": "Envelope enviado",
    "envelope.completed": "Envelope concluído",
    "envelope.sealed": "Envelope selado",
    "envelope.voided": "Envelope cancelado",
    "envelope.expired": "Envelope expirado",
    "envelope.seal_failed": "Selagem falhou",
    "envelope.seal_delayed": "Selagem adiada",
    "envelope.seal_extended": "Selagem estendida",
    "recipient.invited": "Destinatário convidado",
    "recipient.reminded": "Lembrete enviado",
    "recipient.viewed": "Destinatário abriu",
    "recipient.signed": "Destinatário assinou",
    "recipient.approved": "Destinatário aprovou",
    "recipient.declined": "Destinatário recusou",
    "document.downloaded": "Documento descarregado",
    "message.delivered": "Mensagem entregue",
    "message.failed": "Mensagem não entregue",
    "recipient.auth_code_sent": "Código enviado",
    "recipient.auth_failed": "Código errado",
    "recipient.auth_locked": "Autenticação bloqueada",
    "recipient.authenticated": "Destinatário autenticado",
  },
  nl: {
    "envelope.created": "Envelop aangemaakt",
    "envelope.updated": "Envelop gewijzigd",
    "envelope.sent": "Envelop verzonden",
    "envelope.completed": "Envelop voltooid",
    "envelope.sealed": "Envelop verzegeld",
    "envelope.voided": "Envelop geannuleerd",
    "envelope.expired": "Envelop verlopen",
    "envelope.seal_failed": "Verzegelen mislukt",
    "envelope.seal_delayed": "Verzegelen uitgesteld",
    "envelope.seal_extended": "Verzegeling verlengd",
    "recipient.invited": "Ontvanger uitgenodigd",
    "recipient.reminded": "Ontvanger herinnerd",
    "recipient.viewed": "Ontvanger heeft geopend",
    "recipient.signed": "Ontvanger heeft ondertekend",
    "recipient.approved": "Ontvanger heeft goedgekeurd",
    "recipient.declined": "Ontvanger heeft geweigerd",
    "document.downloaded": "Document gedownload",
    "message.delivered": "Bericht afgeleverd",
    "message.failed": "Bericht niet afgeleverd",
    "recipient.auth_code_sent": "Code verzonden",
    "recipient.auth_failed": "Onjuiste code",
    "recipient.auth_locked": "Authenticatie geblokkeerd",
    "recipient.authenticated": "Ontvanger geauthenticeerd",
  },
  el: {
    "envelope.created": "Δημιουργία φακέλου",
    "envelope.updated": "Αλλαγή φακέλου",
    "envelope.sent": "Αποστολή φακέλου",
    "envelope.completed": "Ολοκλήρωση φακέλου",
    "envelope.sealed": "Σφράγιση φακέλου",
    "envelope.voided": "Ακύρωση φακέλου",
    "envelope.expired": "Λήξη φακέλου",
    "envelope.seal_failed": "Αποτυχία σφράγισης",
    "envelope.seal_delayed": "Καθυστέρηση σφράγισης",
    "envelope.seal_extended": "Επέκταση σφράγισης",
    "recipient.invited": "Πρόσκληση παραλήπτη",
    "recipient.reminded": "Υπενθύμιση παραλήπτη",
    "recipient.viewed": "Ο παραλήπτης άνοιξε",
    "recipient.signed": "Ο παραλήπτης υπέγραψε",
    "recipient.approved": "Ο παραλήπτης ενέκρινε",
    "recipient.declined": "Ο παραλήπτης αρνήθηκε",
    "document.downloaded": "Λήψη εγγράφου",
    "message.delivered": "Παράδοση μηνύματος",
    "message.failed": "Αποτυχία παράδοσης μηνύματος",
    "recipient.auth_code_sent": "Αποστολή κωδικού",
    "recipient.auth_failed": "Λάθος κωδικός",
    "recipient.auth_locked": "Κλείδωμα ταυτοποίησης",
    "recipient.authenticated": "Ταυτοποίηση παραλήπτη",
  },
  ar: {
    "envelope.created": "إنشاء المغلف",
    "envelope.updated": "تعديل المغلف",
    "envelope.sent": "إرسال المغلف",
    "envelope.completed": "اكتمال المغلف",
    "envelope.sealed": "ختم المغلف",
    "envelope.voided": "إلغاء المغلف",
    "envelope.expired": "انتهاء صلاحية المغلف",
    "envelope.seal_failed": "فشل الختم",
    "envelope.seal_delayed": "تأخر الختم",
    "envelope.seal_extended": "تمديد الختم",
    "recipient.invited": "دعوة المستلم",
    "recipient.reminded": "تذكير المستلم",
    "recipient.viewed": "فتح المستلم المغلف",
    "recipient.signed": "وقّع المستلم",
    "recipient.approved": "وافق المستلم",
    "recipient.declined": "رفض المستلم",
    "document.downloaded": "تنزيل المستند",
    "message.delivered": "تسليم الرسالة",
    "message.failed": "فشل تسليم الرسالة",
    "recipient.auth_code_sent": "إرسال الرمز",
    "recipient.auth_failed": "رمز خاطئ",
    "recipient.auth_locked": "قفل التحقق من الهوية",
    "recipient.authenticated": "تحقق هوية المستلم",
  },
};

/** A translator for the generated pages of one language: {placeholders} filled with plain text. */
export function reportTexts(locale: Locale | null | undefined) {
  const language = locale ?? "en";
  const table = REPORT_TEXTS[language] ?? EN;
  const t = (key: ReportKey, vars: Record<string, string | number> = {}) =>
    (table[key] ?? EN[key]).replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
  return Object.assign(t, {
    /** The pages are laid out right to left (render-layout.ts Band). */
    rtl: textDirection(language) === "rtl",
    /** Capitals as the language writes them (Greek drops its accents). */
    upper: (text: string) => text.toLocaleUpperCase(language),
    /** "recipient.signed" as a reader's words: "Recipient signed", "Destinataire a signé"; an unknown type as it is. */
    eventLabel: (type: string) => language === "en"
      ? (type.replace(/[._]+/g, " ").trim().replace(/^./, (c) => c.toUpperCase()))
      : EVENT_LABELS[language][type] ?? type,
  });
}

export type ReportT = ReturnType<typeof reportTexts>;
