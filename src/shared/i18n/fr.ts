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
