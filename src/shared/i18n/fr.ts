/**
 * Every French sentence of the product, in one place. Code speaks in stable English codes
 * (INVALID_CREDENTIALS, TOKEN_EXPIRED…); this catalogue turns them into words. A second
 * language is one file away: copy this one and keep the same keys (the type enforces them).
 */
export const fr = {
  site: {
    espacePro: 'Mon Espace Pro',
    skipToContent: 'Aller au contenu',
    requiredLegend: '* Champs obligatoires',
    errorTitlePrefix: 'Erreur : ',
    errorSummaryTitle: 'Le formulaire contient des erreurs :',
    footerHelp: 'Besoin d’aide ? Contactez notre service client.',
    /** Read before each field's message by screen readers, so an error is never colour alone. */
    fieldErrorPrefix: 'Erreur : ',
    /** Labels of the show/hide button that app.js adds to password fields. */
    showPassword: 'Afficher le mot de passe',
    hidePassword: 'Masquer le mot de passe',
  },
  home: {
    title: 'Accueil',
    heading: (brand: string) => `Bienvenue chez ${brand}`,
    intro: 'Professionnels : retrouvez vos informations dans votre espace réservé.',
    cta: 'Mon Espace Pro',
  },
  login: {
    title: 'Authentification',
    openingHeading: 'OUVERTURE DE COMPTE',
    newHere: 'Nouveau ici ?',
    requestAccount: 'Demander une ouverture de compte',
    registeredHeading: 'DÉJÀ INSCRIT ?',
    identifier: 'Identifiant',
    identifierHint: 'Votre code client à 5 chiffres, indiqué sur vos factures.',
    password: 'Mot de passe',
    remember: 'Mémoriser mes identifiants',
    forgot: 'Mot de passe oublié ? / Première connexion',
    submit: 'Valider',
    INVALID_CREDENTIALS:
      'Identifiant ou mot de passe incorrect. Vérifiez votre code client à 5 chiffres et votre mot de passe. Première connexion ? Utilisez « Mot de passe oublié ? / Première connexion ».',
    loggedOut: 'Vous êtes déconnecté. À bientôt !',
    passwordSet: 'Votre mot de passe est enregistré. Ce mot de passe vous servira lors de vos futures connexions.',
    sessionExpired: 'Votre session a expiré. Veuillez vous identifier à nouveau.',
  },
  account: {
    title: 'Mon Espace Pro',
    greeting: (company: string) => `Bonjour, ${company}`,
    identifierLabel: 'Identifiant',
    logout: 'Se déconnecter',
  },
  placeholder: {
    title: 'Bientôt disponible',
    body: 'Cette page sera bientôt disponible. En attendant, contactez notre service client.',
    back: 'Retour à l’authentification',
  },
  reset: {
    title: 'Mot de passe oublié ? / Première connexion',
    intro:
      'Pour réinitialiser votre mot de passe, renseignez votre identifiant ainsi que votre adresse e-mail puis cliquez sur « Réinitialiser mot de passe ». Nous allons envoyer à cette adresse un lien vous permettant de réinitialiser votre mot de passe.',
    identifier: 'Identifiant',
    identifierHint: 'Votre code client à 5 chiffres, indiqué sur vos factures.',
    email: 'Email',
    emailHint: 'L’adresse e-mail connue de notre service client.',
    submit: 'Réinitialiser mot de passe',
    newHere: 'Nouveau ici ?',
    requestAccount: 'Demander une ouverture de compte',
    IDENTIFIER_REQUIRED: 'Veuillez saisir votre identifiant (code client à 5 chiffres).',
    IDENTIFIER_FORMAT: 'L’identifiant est votre code client à 5 chiffres, indiqué sur vos factures (par exemple 12345).',
    EMAIL_REQUIRED: 'Veuillez saisir votre adresse e-mail.',
    EMAIL_FORMAT: 'Veuillez saisir une adresse e-mail valide (par exemple nom@entreprise.fr).',
    sentTitle: 'Vérifiez votre messagerie',
    sentBody: (hours: string) =>
      `Si l’identifiant et l’adresse e-mail saisis correspondent à un compte, nous venons d’envoyer à cette adresse un lien permettant d’initialiser votre mot de passe. Attention, ce lien est valable ${hours}.`,
    sentSpam: 'Vous ne trouvez pas le message ? Il peut mettre quelques minutes à arriver ; pensez à regarder dans vos courriers indésirables (spam).',
    problemsTitle: 'En cas de problèmes',
    problemsBody:
      'En cas de difficultés pour initialiser votre mot de passe, si votre identifiant ou adresse mail n’est pas reconnue, veuillez contacter notre service client afin de procéder à la création de votre compte internet.',
    problemsAction: 'Pour cela, cliquez sur',
    backToLogin: 'Retour à l’authentification',
  },
  activation: {
    title: 'Activation / Réinitialisation compte utilisateur',
    yourAccount: 'Votre compte Web :',
    identifier: 'Identifiant',
    password: 'Mot de passe',
    confirmation: 'Confirmation mot de passe',
    rules: (min: number) =>
      `Au moins ${min} caractères, 128 au plus. Tous les caractères sont permis, espaces compris : une phrase facile à retenir fait un excellent mot de passe. Évitez les mots de passe courants, votre code client, votre adresse e-mail et le nom de la marque.`,
    submit: 'Valider',
    REQUIRED: 'Veuillez saisir un mot de passe.',
    TOO_SHORT: (min: number, length: number) => `Le mot de passe doit contenir au moins ${min} caractères (vous en avez saisi ${length}).`,
    TOO_LONG: (length: number) => `Le mot de passe ne peut pas dépasser 128 caractères (vous en avez saisi ${length}).`,
    COMMON: 'Ce mot de passe fait partie des mots de passe les plus courants ou déjà divulgués. Choisissez-en un autre, par exemple une courte phrase.',
    TRIVIAL: 'Ce mot de passe est trop prévisible (caractères répétés ou suite de touches du clavier). Choisissez-en un autre.',
    CONTEXT: (brand: string) => `Le mot de passe ne doit contenir ni votre code client, ni votre adresse e-mail, ni le nom « ${brand} ».`,
    CONFIRMATION_REQUIRED: 'Veuillez confirmer le mot de passe.',
    MISMATCH: 'La confirmation ne correspond pas au mot de passe saisi.',
    invalidTitle: 'Ce lien n’est plus valide',
    invalidBody:
      'Ce lien a expiré (il est valable quelques heures), a déjà été utilisé, ou un lien plus récent vous a été envoyé depuis. Pour votre sécurité, demandez un nouveau lien : il ne faut qu’une minute.',
    invalidAction: 'Demander un nouveau lien',
  },
  mail: {
    greeting: (company: string) => `Bonjour ${company},`,
    signature: (brand: string) => `Bonne navigation,\nL’équipe ${brand}`,
    automatic: 'Ce message est envoyé automatiquement, merci de ne pas y répondre.',
    resetSubject: (brand: string) => `${brand} – Initialisation de votre mot de passe Espace Pro`,
    resetIntro: (code: string) =>
      `Vous avez demandé à initialiser ou réinitialiser le mot de passe de votre Espace Pro (identifiant ${code}). Cliquez sur le lien ci-dessous pour choisir votre mot de passe :`,
    resetButton: 'Choisir mon mot de passe',
    resetValidity: (duration: string, until: string) => `Attention, ce lien est valable ${duration}, jusqu’au ${until}. Il ne peut servir qu’une fois.`,
    resetIgnore: 'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe actuel reste inchangé.',
    changedSubject: (brand: string) => `${brand} – Votre mot de passe a été modifié`,
    changedBody: (code: string, when: string) =>
      `Le mot de passe de votre Espace Pro (identifiant ${code}) a été enregistré le ${when}. Toutes les sessions ouvertes ont été fermées.`,
    changedWarning: 'Si vous n’êtes pas à l’origine de ce changement, contactez immédiatement notre service client.',
  },
  errors: {
    notFoundTitle: 'Page introuvable',
    notFoundBody: 'La page demandée n’existe pas ou a été déplacée.',
    serverTitle: 'Une erreur est survenue',
    serverBody: 'Nous n’avons pas pu traiter votre demande. Veuillez réessayer dans quelques instants.',
    badRequestTitle: 'Demande incorrecte',
    badRequestBody: 'Le formulaire envoyé n’est pas valide. Veuillez revenir en arrière et réessayer.',
    tooLargeTitle: 'Formulaire trop volumineux',
    tooLargeBody: 'Le formulaire envoyé est trop volumineux. Veuillez vérifier les valeurs saisies.',
    csrfTitle: 'Page expirée',
    csrfBody: 'Pour votre sécurité, ce formulaire a expiré. Veuillez recharger la page et réessayer.',
    tooManyTitle: 'Trop de tentatives',
    tooManyBody: (minutes: number) =>
      `Trop de tentatives depuis votre connexion. Pour votre sécurité, veuillez réessayer dans ${minutes} minute${minutes > 1 ? 's' : ''}.`,
    unavailableTitle: 'Service momentanément indisponible',
    unavailableBody: 'Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.',
    backHome: 'Retour à l’accueil',
  },
} as const;

export type Catalogue = typeof fr;
