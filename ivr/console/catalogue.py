"""The console's words in French and Dutch, by their English (`ivr.console.words`).

Each entry: English -> (French, Dutch). Placeholders such as %(when)s stay as they are.
tests/test_console.py finds every text the templates and the console's code show and checks
that it is here.
"""

WORDS: dict[str, tuple[str, str]] = {
    # The frame of every page
    "Helplines console": ("Console des lignes d'écoute", "Console van de hulplijnen"),
    "Helplines": ("Lignes d'écoute", "Hulplijnen"),
    "Skip to the content": ("Aller au contenu", "Naar de inhoud"),
    "Pages": ("Pages", "Pagina's"),
    "Status": ("État", "Status"),
    "Messages": ("Messages", "Berichten"),
    "Week": ("Semaine", "Week"),
    "Overrides": ("Dérogations", "Afwijkingen"),
    "Try a call": ("Essayer un appel", "Een oproep proberen"),
    "Audit log": ("Journal", "Logboek"),
    "Log out": ("Se déconnecter", "Afmelden"),
    "Language": ("Langue", "Taal"),
    "Change": ("Changer", "Wijzigen"),
    "coordinator": ("coordination", "coördinator"),
    "counsellor": ("écoutant·e", "hulpverlener"),
    # Logging in, errors
    "Log in": ("Se connecter", "Aanmelden"),
    "Name": ("Nom", "Naam"),
    "Password": ("Mot de passe", "Wachtwoord"),
    "Wrong name or password.": ("Nom ou mot de passe incorrect.", "Verkeerde naam of wachtwoord."),
    "Too many wrong passwords: wait a minute, then try again.": (
        "Trop de mots de passe erronés : attendez une minute, puis réessayez.",
        "Te veel verkeerde wachtwoorden: wacht een minuut en probeer dan opnieuw.",
    ),
    "Your session has ended: log in again.": (
        "Votre session est terminée : reconnectez-vous.",
        "Uw sessie is afgelopen: meld u opnieuw aan.",
    ),
    "Not possible": ("Impossible", "Niet mogelijk"),
    "Back to the status of the lines": (
        "Retour à l'état des lignes",
        "Terug naar de status van de lijnen",
    ),
    "The database is not answering: this page cannot be shown, and what you asked may not have been done. Calls are answered as usual. Try again in a minute.": (
        "La base de données ne répond pas : cette page ne peut pas être affichée, et ce que vous avez demandé n'a peut-être pas été fait. Les appels sont pris comme d'habitude. Réessayez dans une minute.",
        "De databank antwoordt niet: deze pagina kan niet getoond worden, en wat u vroeg is misschien niet gebeurd. Oproepen worden gewoon beantwoord. Probeer het over een minuut opnieuw.",
    ),
    "This page is for coordinators.": (
        "Cette page est réservée à la coordination.",
        "Deze pagina is voor coördinatoren.",
    ),
    "There is no such page.": ("Cette page n'existe pas.", "Deze pagina bestaat niet."),
    "This page does not take that request.": (
        "Cette page n'accepte pas cette demande.",
        "Deze pagina aanvaardt dat verzoek niet.",
    ),
    "That is too much to send.": ("C'est trop à envoyer.", "Dat is te veel om te versturen."),
    "This form was not sent from this page, or has expired. Go back, reload the page and try again.": (
        "Ce formulaire n'a pas été envoyé depuis cette page, ou a expiré. Revenez en arrière, "
        "rechargez la page et réessayez.",
        "Dit formulier werd niet vanaf deze pagina verstuurd, of is verlopen. Ga terug, laad de "
        "pagina opnieuw en probeer het nog eens.",
    ),
    "This field is required.": ("Ce champ est obligatoire.", "Dit veld is verplicht."),
    "Not a valid datetime value.": (
        "Ce n'est pas une date et heure valides.",
        "Geen geldige datum en tijd.",
    ),
    # The status board
    "The lines now": ("Les lignes maintenant", "De lijnen nu"),
    "At %(when)s. This page refreshes itself every %(seconds)s seconds.": (
        "Le %(when)s. Cette page se met à jour toutes les %(seconds)s secondes.",
        "Op %(when)s. Deze pagina ververst zichzelf om de %(seconds)s seconden.",
    ),
    "The last configuration change was refused (%(when)s)": (
        "La dernière modification de la configuration a été refusée (%(when)s)",
        "De laatste wijziging van de configuratie werd geweigerd (%(when)s)",
    ),
    "The lines go on with the configuration before it.": (
        "Les lignes continuent avec la configuration précédente.",
        "De lijnen werken verder met de vorige configuratie.",
    ),
    "open": ("ouverte", "open"),
    "closed": ("fermée", "gesloten"),
    "The override ends %(when)s; then the schedule applies again.": (
        "La dérogation prend fin %(when)s ; ensuite l'horaire s'applique à nouveau.",
        "De afwijking eindigt %(when)s; daarna geldt het uurrooster weer.",
    ),
    "No change within a year.": (
        "Aucun changement d'ici un an.",
        "Geen wijziging binnen een jaar.",
    ),
    "Closes %(when)s": ("Ferme %(when)s", "Sluit %(when)s"),
    "Opens %(when)s": ("Ouvre %(when)s", "Opent %(when)s"),
    "Override set by %(who)s: %(reason)s": (
        "Dérogation posée par %(who)s : %(reason)s",
        "Afwijking ingesteld door %(who)s: %(reason)s",
    ),
    "Transfers that did not connect since the service started:": (
        "Transferts qui n'ont pas abouti depuis le démarrage du service :",
        "Doorverbindingen die niet lukten sinds de dienst startte:",
    ),
    "override by %(who)s: %(reason)s": (
        "dérogation de %(who)s : %(reason)s",
        "afwijking door %(who)s: %(reason)s",
    ),
    "exception: %(reason)s": ("exception : %(reason)s", "uitzondering: %(reason)s"),
    "closed today: %(name)s": ("fermée aujourd'hui : %(name)s", "vandaag gesloten: %(name)s"),
    "weekly hours": ("horaire de la semaine", "weekuurrooster"),
    "always open": ("ouverte jour et nuit", "dag en nacht open"),
    "outside weekly hours": ("en dehors de l'horaire", "buiten de openingsuren"),
    # Where a call goes (ivr.flow.describe.TEXTS)
    "the language choice, then %(route)s": (
        "le choix de la langue, puis %(route)s",
        "de taalkeuze, dan %(route)s",
    ),
    "the language choice": ("le choix de la langue", "de taalkeuze"),
    "in %(language)s: %(route)s": ("en %(language)s : %(route)s", "in het %(language)s: %(route)s"),
    "menu": ("menu", "keuzemenu"),
    "a menu": ("un menu", "een keuzemenu"),
    "no key": ("sans touche", "geen toets"),
    "hear it again": ("réécoute le message", "hoort het opnieuw"),
    "otherwise → %(then)s": ("sinon → %(then)s", "anders → %(then)s"),
    "told about %(services)s": ("on lui parle de %(services)s", "hoort over %(services)s"),
    "told about %(services)s, then %(then)s": (
        "on lui parle de %(services)s, puis %(then)s",
        "hoort over %(services)s, dan %(then)s",
    ),
    "told where to turn (107, 112, 101), then the call ends": (
        "on lui dit où s'adresser (107, 112, 101), puis l'appel prend fin",
        "hoort waar terecht te kunnen (107, 112, 101), dan eindigt de oproep",
    ),
    "voicemail": ("messagerie", "voicemail"),
    "a loop of steps": ("une boucle d'étapes", "een lus van stappen"),
    "the line %(name)s": ("la ligne %(name)s", "de lijn %(name)s"),
    "if nobody takes the call → %(then)s": (
        "si personne ne prend l'appel → %(then)s",
        "als niemand de oproep aanneemt → %(then)s",
    ),
    "if that fails → %(then)s": ("si cela échoue → %(then)s", "als dat mislukt → %(then)s"),
    "the %(contact)s, forwarded to %(where)s": (
        "%(contact)s, renvoyé vers %(where)s",
        "%(contact)s, doorgeschakeld naar %(where)s",
    ),
    "the %(contact)s (%(numbers)s)": ("%(contact)s (%(numbers)s)", "%(contact)s (%(numbers)s)"),
    "today %(time)s": ("aujourd'hui à %(time)s", "vandaag om %(time)s"),
    "tomorrow %(time)s": ("demain à %(time)s", "morgen om %(time)s"),
    # Messages
    "Nothing about the caller is kept: call back in the language they chose, from the line's phone.": (
        "Rien n'est gardé de l'appelant·e : rappelez dans la langue choisie, depuis le "
        "téléphone de la ligne.",
        "Niets over de beller wordt bewaard: bel terug in de gekozen taal, met de telefoon "
        "van de lijn.",
    ),
    "New": ("Nouveaux", "Nieuw"),
    "Taken": ("Pris en charge", "In behandeling"),
    "Done": ("Terminés", "Afgehandeld"),
    "None.": ("Aucun.", "Geen."),
    "Message %(number)s": ("Message %(number)s", "Bericht %(number)s"),
    "Received": ("Reçu", "Ontvangen"),
    "Call back in": ("Rappeler en", "Terugbellen in het"),
    "Length": ("Durée", "Duur"),
    "%(seconds)s s": ("%(seconds)s s", "%(seconds)s s"),
    "Taken by": ("Pris par", "Genomen door"),
    "How it ended": ("Comment cela s'est terminé", "Hoe het afliep"),
    "Deleted on": ("Effacé le", "Gewist op"),
    "Listen to message %(number)s": (
        "Écouter le message %(number)s",
        "Beluister bericht %(number)s",
    ),
    "Its audio is lost: Twilio no longer had the recording.": (
        "Son enregistrement est perdu : Twilio ne l'avait plus.",
        "De opname is verloren: Twilio had ze niet meer.",
    ),
    "Its audio is not kept here yet.": (
        "Son enregistrement n'est pas encore conservé ici.",
        "De opname wordt hier nog niet bewaard.",
    ),
    "Take it": ("Le prendre", "Nemen"),
    "Take it over": ("Le reprendre", "Overnemen"),
    "called back": ("rappelé·e", "teruggebeld"),
    "closed without a call": ("clos sans appel", "afgesloten zonder oproep"),
    "Note (never a phone number)": (
        "Note (jamais de numéro de téléphone)",
        "Notitie (nooit een telefoonnummer)",
    ),
    "Mark as done": ("Marquer comme terminé", "Als afgehandeld markeren"),
    "Say in a few words how it ended.": (
        "Dites en quelques mots comment cela s'est terminé.",
        "Zeg in enkele woorden hoe het afliep.",
    ),
    "Keep the note under %(most)s characters.": (
        "Gardez la note sous %(most)s caractères.",
        "Houd de notitie onder %(most)s tekens.",
    ),
    "The note seems to hold a phone number: callers' numbers are never kept. Write what happened without it.": (
        "La note semble contenir un numéro de téléphone : les numéros des appelant·es ne sont "
        "jamais gardés. Écrivez ce qui s'est passé sans lui.",
        "De notitie lijkt een telefoonnummer te bevatten: nummers van bellers worden nooit "
        "bewaard. Schrijf op wat er gebeurde, zonder het nummer.",
    ),
    "This message cannot be moved: %(why)s": (
        "Ce message ne peut pas changer d'état : %(why)s",
        "Dit bericht kan niet van status veranderen: %(why)s",
    ),
    # Overrides
    "An override wins over the schedule until its end, then the schedule applies again. Every server follows it within seconds.": (
        "Une dérogation l'emporte sur l'horaire jusqu'à sa fin, puis l'horaire s'applique à "
        "nouveau. Tous les serveurs la suivent en quelques secondes.",
        "Een afwijking gaat boven het uurrooster tot ze afloopt; daarna geldt het uurrooster "
        "weer. Alle servers volgen ze binnen enkele seconden.",
    ),
    "Some fields need a look: see below.": (
        "Certains champs sont à revoir : voir ci-dessous.",
        "Enkele velden moeten worden nagekeken: zie hieronder.",
    ),
    "Line": ("Ligne", "Lijn"),
    "What callers meet": ("Ce que rencontrent les appelant·es", "Wat bellers te horen krijgen"),
    "Closed: the line sends callers where it does when closed": (
        "Fermée : la ligne envoie les appels là où elle le fait quand elle est fermée",
        "Gesloten: de lijn stuurt bellers door zoals wanneer ze gesloten is",
    ),
    "Open: callers reach the team": (
        "Ouverte : les appels vont à l'équipe",
        "Open: bellers bereiken het team",
    ),
    "Open, on another number or service": (
        "Ouverte, vers un autre numéro ou service",
        "Open, naar een ander nummer of een andere dienst",
    ),
    "Other number or service (when sending elsewhere)": (
        "Autre numéro ou service (pour envoyer ailleurs)",
        "Ander nummer of andere dienst (om elders heen te sturen)",
    ),
    "A number such as +32470112233, or a service's number such as 106.": (
        "Un numéro comme +32470112233, ou le numéro d'un service comme 106.",
        "Een nummer zoals +32470112233, of het nummer van een dienst zoals 106.",
    ),
    "From": ("À partir de", "Vanaf"),
    "Empty: now.": ("Vide : maintenant.", "Leeg: nu."),
    "Until": ("Jusqu'à", "Tot"),
    "Reason (kept in the log with your name)": (
        "Raison (gardée dans le journal avec votre nom)",
        "Reden (bewaard in het logboek met uw naam)",
    ),
    "Set the override": ("Poser la dérogation", "Afwijking instellen"),
    "In force and planned": ("En cours et prévues", "Lopend en gepland"),
    "None: every line follows its schedule.": (
        "Aucune : chaque ligne suit son horaire.",
        "Geen: elke lijn volgt haar uurrooster.",
    ),
    "calls to %(to)s": ("appels vers %(to)s", "oproepen naar %(to)s"),
    "From %(start)s until %(end)s": ("Du %(start)s au %(end)s", "Van %(start)s tot %(end)s"),
    "Reason: %(reason)s (%(who)s)": (
        "Raison : %(reason)s (%(who)s)",
        "Reden: %(reason)s (%(who)s)",
    ),
    "Clear it now": ("La lever maintenant", "Nu opheffen"),
    "Cancel it": ("L'annuler", "Annuleren"),
    "planned": ("prévue", "gepland"),
    "Override set: %(line)s %(what)s from %(start)s until %(end)s.": (
        "Dérogation posée : %(line)s %(what)s du %(start)s au %(end)s.",
        "Afwijking ingesteld: %(line)s %(what)s van %(start)s tot %(end)s.",
    ),
    "%(line)s: the override is lifted; the schedule applies again.": (
        "%(line)s : la dérogation est levée ; l'horaire s'applique à nouveau.",
        "%(line)s: de afwijking is opgeheven; het uurrooster geldt weer.",
    ),
    "%(line)s: the planned override is cancelled; it will not start.": (
        "%(line)s : la dérogation prévue est annulée ; elle ne commencera pas.",
        "%(line)s: de geplande afwijking is geannuleerd; ze begint niet.",
    ),
    "Planned: %(what)s from %(start)s until %(end)s (%(who)s: %(reason)s)": (
        "Prévue : %(what)s du %(start)s au %(end)s (%(who)s : %(reason)s)",
        "Gepland: %(what)s van %(start)s tot %(end)s (%(who)s: %(reason)s)",
    ),
    "Log": ("Journal", "Logboek"),
    "When": ("Quand", "Wanneer"),
    "Who": ("Qui", "Wie"),
    "What": ("Quoi", "Wat"),
    "On": ("Sur", "Op"),
    "Detail": ("Détail", "Detail"),
    "Reason": ("Raison", "Reden"),
    "until %(end)s": ("jusqu'au %(end)s", "tot %(end)s"),
    "cleared": ("levée", "opgeheven"),
    "There is no line %(line)s.": ("Il n'y a pas de ligne %(line)s.", "Er is geen lijn %(line)s."),
    "Choose close, open or send calls elsewhere.": (
        "Choisissez fermer, ouvrir ou envoyer les appels ailleurs.",
        "Kies sluiten, openen of oproepen elders heen sturen.",
    ),
    "Give a reason: it goes into the log with your name.": (
        "Donnez une raison : elle va dans le journal avec votre nom.",
        "Geef een reden: ze komt in het logboek met uw naam.",
    ),
    "Keep the reason to %(most)s characters.": (
        "Limitez la raison à %(most)s caractères.",
        "Beperk de reden tot %(most)s tekens.",
    ),
    "It overlaps override #%(number)s of this line: clear that one first.": (
        "Elle chevauche la dérogation n°%(number)s de cette ligne : levez d'abord celle-là.",
        "Ze overlapt afwijking nr. %(number)s van deze lijn: hef die eerst op.",
    ),
    "The end is already past.": ("La fin est déjà passée.", "Het einde is al voorbij."),
    "An override lasts a year at most: change the schedule instead.": (
        "Une dérogation dure un an au plus : changez plutôt l'horaire.",
        "Een afwijking duurt hoogstens een jaar: wijzig liever het uurrooster.",
    ),
    "%(to)s is not something calls can be sent to: give a number as +32470112233, or a service such as tele-accueil or 106.": (  # noqa: E501
        "%(to)s n'est pas une destination possible pour les appels : donnez un numéro comme "
        "+32470112233, ou un service comme tele-accueil ou 106.",
        "%(to)s is geen bestemming voor de oproepen: geef een nummer zoals +32470112233, of "
        "een dienst zoals tele-accueil of 106.",
    ),
    "%(line)s has no team to send elsewhere.": (
        "%(line)s n'a pas d'équipe à renvoyer ailleurs.",
        "%(line)s heeft geen team om elders heen te sturen.",
    ),
    # Try a call
    "The call is played as Twilio would play it, with today's configuration and overrides; nothing is stored and nobody's phone rings.": (
        "L'appel est joué comme Twilio le jouerait, avec la configuration et les dérogations "
        "d'aujourd'hui ; rien n'est gardé et aucun téléphone ne sonne.",
        "De oproep wordt gespeeld zoals Twilio hem zou spelen, met de configuratie en "
        "afwijkingen van vandaag; niets wordt bewaard en geen enkele telefoon gaat over.",
    ),
    "Moment": ("Moment", "Tijdstip"),
    "Caller's language": ("Langue de l'appelant·e", "Taal van de beller"),
    "—: the caller presses nothing at the language choice.": (
        "— : l'appelant·e n'appuie sur rien au choix de la langue.",
        "—: de beller drukt niets bij de taalkeuze.",
    ),
    "Keys pressed, in order": ("Touches pressées, dans l'ordre", "Ingedrukte toetsen, in volgorde"),
    "Separated by spaces; when they run out, the caller presses nothing.": (
        "Séparées par des espaces ; ensuite, l'appelant·e n'appuie plus sur rien.",
        "Gescheiden door spaties; daarna drukt de beller niets meer.",
    ),
    "How transfers end": ("Comment finissent les transferts", "Hoe doorverbindingen aflopen"),
    "Play the call": ("Jouer l'appel", "De oproep spelen"),
    "What the caller meets": ("Ce que vit l'appelant·e", "Wat de beller meemaakt"),
    "Keys are digits, * and #.": (
        "Les touches sont des chiffres, * et #.",
        "Toetsen zijn cijfers, * en #.",
    ),
    # The audit log
    "Who did what and when, newest first: logins, overrides, messages, trial calls.": (
        "Qui a fait quoi et quand, du plus récent au plus ancien : connexions, dérogations, "
        "messages, appels d'essai.",
        "Wie wat deed en wanneer, nieuwste eerst: aanmeldingen, afwijkingen, berichten, "
        "proefoproepen.",
    ),
    # The week
    "Week %(week)s": ("Semaine %(week)s", "Week %(week)s"),
    "The lines' hours, week %(week)s": (
        "Les horaires des lignes, semaine %(week)s",
        "De uren van de lijnen, week %(week)s",
    ),
    "Every line": ("Toutes les lignes", "Alle lijnen"),
    "Show": ("Afficher", "Tonen"),
    "Week before": ("Semaine précédente", "Vorige week"),
    "Week after": ("Semaine suivante", "Volgende week"),
    "closed by an override": ("fermée par une dérogation", "gesloten door een afwijking"),
    "opened by an override": ("ouverte par une dérogation", "geopend door een afwijking"),
    "Brussels time, 0 to 24 h": (
        "heure de Bruxelles, de 0 à 24 h",
        "Brusselse tijd, van 0 tot 24 u",
    ),
    "While closed: %(goes)s": ("Quand elle est fermée : %(goes)s", "Wanneer gesloten: %(goes)s"),
    "day and night": ("jour et nuit", "dag en nacht"),
    "closed: %(name)s": ("fermée : %(name)s", "gesloten: %(name)s"),
    "closed: %(reason)s": ("fermée : %(reason)s", "gesloten: %(reason)s"),
    "open: %(reason)s": ("ouverte : %(reason)s", "open: %(reason)s"),
    "override: %(reason)s": ("dérogation : %(reason)s", "afwijking: %(reason)s"),
}
