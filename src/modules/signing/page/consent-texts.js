// @ts-check
// What a signer agrees to, by language: the page shows it beside the consent box and the server
// records the very text in the audit trail, with CONSENT_VERSION and its SHA-256. Data only: the
// server serves this module as the JSON of its values (page.ts), so a browser and the binary
// read the same words. Raise CONSENT_VERSION whenever one of these texts changes.

export const CONSENT_VERSION = 2;

export const CONSENT_TEXTS = {
  en: {
    sign: "I agree to sign these documents electronically, and that my electronic signature has the same value as my handwritten signature.",
    approve: "I have reviewed these documents and I approve them electronically.",
  },
  fr: {
    sign: "J’accepte de signer ces documents électroniquement, et que ma signature électronique ait la même valeur que ma signature manuscrite.",
    approve: "J’ai lu ces documents et je les approuve électroniquement.",
  },
  de: {
    sign: "Ich bin damit einverstanden, diese Dokumente elektronisch zu unterschreiben, und dass meine elektronische Unterschrift denselben Wert hat wie meine handschriftliche.",
    approve: "Ich habe diese Dokumente gelesen und genehmige sie elektronisch.",
  },
  es: {
    sign: "Acepto firmar estos documentos electrónicamente y que mi firma electrónica tenga el mismo valor que mi firma manuscrita.",
    approve: "He revisado estos documentos y los apruebo electrónicamente.",
  },
  it: {
    sign: "Accetto di firmare questi documenti elettronicamente e che la mia firma elettronica abbia lo stesso valore della mia firma autografa.",
    approve: "Ho letto questi documenti e li approvo elettronicamente.",
  },
  pt: {
    sign: "Aceito assinar estes documentos eletronicamente e que a minha assinatura eletrónica tenha o mesmo valor que a minha assinatura manuscrita.",
    approve: "Li estes documentos e aprovo-os eletronicamente.",
  },
  nl: {
    sign: "Ik ga ermee akkoord deze documenten elektronisch te ondertekenen, en dat mijn elektronische handtekening dezelfde waarde heeft als mijn handgeschreven handtekening.",
    approve: "Ik heb deze documenten gelezen en keur ze elektronisch goed.",
  },
  el: {
    sign: "Συμφωνώ να υπογράψω αυτά τα έγγραφα ηλεκτρονικά και η ηλεκτρονική μου υπογραφή να έχει την ίδια αξία με την ιδιόχειρη υπογραφή μου.",
    approve: "Διάβασα αυτά τα έγγραφα και τα εγκρίνω ηλεκτρονικά.",
  },
  ar: {
    sign: "أوافق على توقيع هذه المستندات إلكترونيًا، وعلى أن يكون لتوقيعي الإلكتروني القيمة نفسها التي لتوقيعي بخط اليد.",
    approve: "قرأت هذه المستندات وأوافق عليها إلكترونيًا.",
  },
};
