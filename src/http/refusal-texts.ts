// The words of the page a browser gets when the pipeline refuses a request (refusal-page.ts), in
// the languages of the signing page and the console.
import type { Locale } from "../enums";

/** What the refusal was, as a person reads it. */
export type RefusalKind = "limited" | "tooLarge" | "badAddress" | "notFound" | "notAccepted" | "unavailable" | "refused";

export interface RefusalWords {
  titles: Record<RefusalKind, string>;
  /** `{seconds}` stands for the wait a rate limit asks for. */
  sentences: Record<RefusalKind, string>;
  /** Precedes the request id, which finds the request in the server's log. */
  reference: string;
}

export const REFUSAL_TEXTS: Record<Locale, RefusalWords> = {
  en: {
    titles: { limited: "Too many requests", tooLarge: "Request too large", badAddress: "Address not valid", notFound: "Page not found", notAccepted: "Request not accepted", unavailable: "Service unavailable", refused: "Request refused" },
    sentences: {
      limited: "Too many requests came from your network. Try again in {seconds} seconds.",
      tooLarge: "What your browser sent is larger than this server accepts.",
      badAddress: "This address is not valid. Check the link you followed, or ask its sender for a new one.",
      notFound: "There is no page at this address. Check the link you followed: it may have been cut short.",
      notAccepted: "What your browser sent is in a form this server does not accept.",
      unavailable: "The server cannot answer right now. Try again in a few minutes.",
      refused: "The server refused this request.",
    },
    reference: "Reference",
  },
  fr: {
    titles: { limited: "Trop de requêtes", tooLarge: "Requête trop volumineuse", badAddress: "Adresse non valide", notFound: "Page introuvable", notAccepted: "Requête non acceptée", unavailable: "Service indisponible", refused: "Requête refusée" },
    sentences: {
      limited: "Trop de requêtes sont venues de votre réseau. Réessayez dans {seconds} secondes.",
      tooLarge: "Ce que votre navigateur a envoyé dépasse ce que ce serveur accepte.",
      badAddress: "Cette adresse n'est pas valide. Vérifiez le lien que vous avez suivi, ou demandez-en un nouveau à son expéditeur.",
      notFound: "Il n'y a pas de page à cette adresse. Vérifiez le lien que vous avez suivi : il a peut-être été tronqué.",
      notAccepted: "Ce que votre navigateur a envoyé est sous une forme que ce serveur n'accepte pas.",
      unavailable: "Le serveur ne peut pas répondre pour le moment. Réessayez dans quelques minutes.",
      refused: "Le serveur a refusé cette requête.",
    },
    reference: "Référence",
  },
  de: {
    titles: { limited: "Zu viele Anfragen", tooLarge: "Anfrage zu groß", badAddress: "Ungültige Adresse", notFound: "Seite nicht gefunden", notAccepted: "Anfrage nicht angenommen", unavailable: "Dienst nicht verfügbar", refused: "Anfrage abgelehnt" },
    sentences: {
      limited: "Aus Ihrem Netzwerk kamen zu viele Anfragen. Versuchen Sie es in {seconds} Sekunden erneut.",
      tooLarge: "Was Ihr Browser gesendet hat, ist größer, als dieser Server annimmt.",
      badAddress: "Diese Adresse ist ungültig. Prüfen Sie den Link, dem Sie gefolgt sind, oder bitten Sie den Absender um einen neuen.",
      notFound: "Unter dieser Adresse gibt es keine Seite. Prüfen Sie den Link, dem Sie gefolgt sind: Er wurde vielleicht abgeschnitten.",
      notAccepted: "Was Ihr Browser gesendet hat, liegt in einer Form vor, die dieser Server nicht annimmt.",
      unavailable: "Der Server kann gerade nicht antworten. Versuchen Sie es in einigen Minuten erneut.",
      refused: "Der Server hat diese Anfrage abgelehnt.",
    },
    reference: "Referenz",
  },
  es: {
    titles: { limited: "Demasiadas solicitudes", tooLarge: "Solicitud demasiado grande", badAddress: "Dirección no válida", notFound: "Página no encontrada", notAccepted: "Solicitud no aceptada", unavailable: "Servicio no disponible", refused: "Solicitud rechazada" },
    sentences: {
      limited: "Han llegado demasiadas solicitudes desde su red. Vuelva a intentarlo dentro de {seconds} segundos.",
      tooLarge: "Lo que ha enviado su navegador supera lo que este servidor acepta.",
      badAddress: "Esta dirección no es válida. Compruebe el enlace que ha seguido o pida uno nuevo a su remitente.",
      notFound: "No hay ninguna página en esta dirección. Compruebe el enlace que ha seguido: puede que esté cortado.",
      notAccepted: "Lo que ha enviado su navegador tiene una forma que este servidor no acepta.",
      unavailable: "El servidor no puede responder en este momento. Vuelva a intentarlo dentro de unos minutos.",
      refused: "El servidor ha rechazado esta solicitud.",
    },
    reference: "Referencia",
  },
  it: {
    titles: { limited: "Troppe richieste", tooLarge: "Richiesta troppo grande", badAddress: "Indirizzo non valido", notFound: "Pagina non trovata", notAccepted: "Richiesta non accettata", unavailable: "Servizio non disponibile", refused: "Richiesta rifiutata" },
    sentences: {
      limited: "Dalla sua rete sono arrivate troppe richieste. Riprovi tra {seconds} secondi.",
      tooLarge: "Ciò che il browser ha inviato supera quanto questo server accetta.",
      badAddress: "Questo indirizzo non è valido. Controlli il link che ha seguito o ne chieda uno nuovo al mittente.",
      notFound: "A questo indirizzo non c'è alcuna pagina. Controlli il link che ha seguito: potrebbe essere stato troncato.",
      notAccepted: "Ciò che il browser ha inviato è in una forma che questo server non accetta.",
      unavailable: "Il server non può rispondere in questo momento. Riprovi tra qualche minuto.",
      refused: "Il server ha rifiutato questa richiesta.",
    },
    reference: "Riferimento",
  },
  pt: {
    titles: { limited: "Demasiados pedidos", tooLarge: "Pedido demasiado grande", badAddress: "Endereço inválido", notFound: "Página não encontrada", notAccepted: "Pedido não aceite", unavailable: "Serviço indisponível", refused: "Pedido recusado" },
    sentences: {
      limited: "Chegaram demasiados pedidos da sua rede. Tente novamente dentro de {seconds} segundos.",
      tooLarge: "O que o seu navegador enviou excede o que este servidor aceita.",
      badAddress: "Este endereço não é válido. Verifique a ligação que seguiu ou peça uma nova ao remetente.",
      notFound: "Não existe nenhuma página neste endereço. Verifique a ligação que seguiu: pode ter sido cortada.",
      notAccepted: "O que o seu navegador enviou está num formato que este servidor não aceita.",
      unavailable: "O servidor não consegue responder neste momento. Tente novamente dentro de alguns minutos.",
      refused: "O servidor recusou este pedido.",
    },
    reference: "Referência",
  },
  nl: {
    titles: { limited: "Te veel verzoeken", tooLarge: "Verzoek te groot", badAddress: "Ongeldig adres", notFound: "Pagina niet gevonden", notAccepted: "Verzoek niet aanvaard", unavailable: "Dienst niet beschikbaar", refused: "Verzoek geweigerd" },
    sentences: {
      limited: "Er kwamen te veel verzoeken uit uw netwerk. Probeer het over {seconds} seconden opnieuw.",
      tooLarge: "Wat uw browser heeft verzonden, is groter dan deze server aanvaardt.",
      badAddress: "Dit adres is ongeldig. Controleer de link die u hebt gevolgd, of vraag de afzender om een nieuwe.",
      notFound: "Op dit adres staat geen pagina. Controleer de link die u hebt gevolgd: misschien is die afgebroken.",
      notAccepted: "Wat uw browser heeft verzonden, heeft een vorm die deze server niet aanvaardt.",
      unavailable: "De server kan nu niet antwoorden. Probeer het over enkele minuten opnieuw.",
      refused: "De server heeft dit verzoek geweigerd.",
    },
    reference: "Referentie",
  },
  el: {
    titles: { limited: "Πάρα πολλά αιτήματα", tooLarge: "Πολύ μεγάλο αίτημα", badAddress: "Μη έγκυρη διεύθυνση", notFound: "Η σελίδα δεν βρέθηκε", notAccepted: "Το αίτημα δεν έγινε δεκτό", unavailable: "Η υπηρεσία δεν είναι διαθέσιμη", refused: "Το αίτημα απορρίφθηκε" },
    sentences: {
      limited: "Ήρθαν πάρα πολλά αιτήματα από το δίκτυό σας. Δοκιμάστε ξανά σε {seconds} δευτερόλεπτα.",
      tooLarge: "Αυτό που έστειλε το πρόγραμμα περιήγησής σας υπερβαίνει ό,τι δέχεται αυτός ο διακομιστής.",
      badAddress: "Αυτή η διεύθυνση δεν είναι έγκυρη. Ελέγξτε τον σύνδεσμο που ακολουθήσατε ή ζητήστε νέο από τον αποστολέα του.",
      notFound: "Δεν υπάρχει σελίδα σε αυτή τη διεύθυνση. Ελέγξτε τον σύνδεσμο που ακολουθήσατε: ίσως έχει κοπεί.",
      notAccepted: "Αυτό που έστειλε το πρόγραμμα περιήγησής σας έχει μορφή που αυτός ο διακομιστής δεν δέχεται.",
      unavailable: "Ο διακομιστής δεν μπορεί να απαντήσει αυτή τη στιγμή. Δοκιμάστε ξανά σε λίγα λεπτά.",
      refused: "Ο διακομιστής απέρριψε αυτό το αίτημα.",
    },
    reference: "Κωδικός αναφοράς",
  },
  ar: {
    titles: { limited: "طلبات كثيرة جدًا", tooLarge: "الطلب كبير جدًا", badAddress: "عنوان غير صالح", notFound: "الصفحة غير موجودة", notAccepted: "الطلب غير مقبول", unavailable: "الخدمة غير متاحة", refused: "تم رفض الطلب" },
    sentences: {
      limited: "وصلت طلبات كثيرة جدًا من شبكتك. أعد المحاولة بعد {seconds} ثانية.",
      tooLarge: "ما أرسله متصفحك أكبر مما يقبله هذا الخادم.",
      badAddress: "هذا العنوان غير صالح. تحقّق من الرابط الذي اتبعته، أو اطلب رابطًا جديدًا من مرسله.",
      notFound: "لا توجد صفحة على هذا العنوان. تحقّق من الرابط الذي اتبعته: ربما اقتُطع جزء منه.",
      notAccepted: "ما أرسله متصفحك بصيغة لا يقبلها هذا الخادم.",
      unavailable: "لا يستطيع الخادم الرد الآن. أعد المحاولة بعد بضع دقائق.",
      refused: "رفض الخادم هذا الطلب.",
    },
    reference: "المرجع",
  },
};
