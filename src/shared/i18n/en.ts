/**
 * Every English sentence of the customer pages and mails. Same keys as fr.ts, the reference:
 * `satisfies Catalogue` makes a missing or extra key, or a function with other parameters, fail
 * the type check. The back office stays French (PRODUCT.md, "Languages"): its sections are the
 * French ones, so the shape stays whole. See README.md in this folder.
 */
import { type Catalogue, fr } from './fr.js';

export const en = {
  time: {
    /** English writes the first of a month like any other day. */
    firstOfMonth: '1',
    zone: (timeZone: string) => (timeZone === 'Europe/Paris' ? 'Paris time' : timeZone),
    hours: (n: number) => (n === 1 ? '1 hour' : `${n} hours`),
    minutes: (n: number) => (n === 1 ? '1 minute' : `${n} minutes`),
  },
  site: {
    espacePro: 'My Pro Area',
    skipToContent: 'Skip to content',
    requiredLegend: '* Required fields',
    errorTitlePrefix: 'Error: ',
    errorSummaryTitle: 'There is a problem with the form:',
    footerHelp: 'Need help? Contact our customer service.',
    footerNoContact: (brand: string) => `${brand} – Pro Area, for business customers only.`,
    supportContact: 'Customer service:',
    legalNotice: 'Legal notice',
    privacy: 'Personal data',
    fieldErrorPrefix: 'Error: ',
    showPassword: 'Show password',
    hidePassword: 'Hide password',
    languageSwitch: 'Français',
  },
  device: {
    browserOn: (browser: string, os: string) => `${browser} on ${os}`,
    unknown: 'Unknown browser',
  },
  home: {
    title: 'Home',
    heading: (brand: string) => `Welcome to ${brand}`,
    intro: 'Business customers: find your information in your own private area.',
    cta: 'My Pro Area',
  },
  login: {
    title: 'Sign in',
    openingHeading: 'OPEN AN ACCOUNT',
    newHere: 'New here?',
    requestAccount: 'Request an account',
    registeredHeading: 'ALREADY REGISTERED?',
    identifier: 'Username',
    identifierHint: 'Your 5-digit customer code, shown on your invoices, or your own e-mail address.',
    password: 'Password',
    remember: 'Remember me',
    forgot: 'Forgotten your password? / First sign-in',
    submit: 'Sign in',
    INVALID_CREDENTIALS:
      'Incorrect username or password. Check your username (5-digit customer code or e-mail address) and your password. First sign-in? Use “Forgotten your password? / First sign-in”.',
    THROTTLED: (minutes: number) =>
      `Too many attempts for this username: for your security, sign-ins are slowed down. Try again in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}. Forgotten your password? Use “Forgotten your password? / First sign-in”.`,
    IDENTIFIER_REQUIRED: 'Enter your username (5-digit customer code or e-mail address).',
    PASSWORD_REQUIRED: 'Enter your password.',
    loggedOut: 'You are signed out. See you soon!',
    deviceRevoked: 'You revoked this device: it is signed out. Sign in to continue.',
    passwordSet: 'Your password is saved. You will use it whenever you sign in from now on.',
    sessionExpired: 'Your session has expired. Please sign in again.',
  },
  account: {
    title: 'My Pro Area',
    greeting: (company: string) => `Hello, ${company}`,
    identifierLabel: 'Username',
    customerCodeLabel: 'Customer code',
    emailLabel: 'E-mail address',
    roleLabel: 'Role',
    logout: 'Sign out',
    switchCompany: 'Switch customer account',
  },
  company: {
    roles: { admin: 'Administrator', buyer: 'Buyer', viewer: 'Read only' },
    chooserTitle: 'Choose the customer account',
    chooserIntro:
      'Your e-mail address gives access to several customer accounts. Choose the one you want to continue with; you can switch at any time from My Pro Area.',
    chooseAction: (code: string) => `Continue with account ${code}`,
    current: 'current account',
    unavailable: 'This customer account is not available. Choose another one.',
  },
  meter: {
    empty: (min: number) => `Enter at least ${min} characters.`,
    short: '{reste} more characters: {n} of at least {min}.',
    shortOne: '1 more character: {n} of at least {min}.',
    long: 'Too long: 128 characters at most ({n} entered).',
    trivial: 'Too predictable: repeated characters or a run of keys.',
    context: 'Avoid: it contains your customer code, your e-mail address or the brand name.',
    ok: 'Long enough ({n} characters). The list of common passwords is checked when you submit.',
  },
  security: {
    heading: 'Security',
    title: 'My account security',
    summary: 'Change your password, see the devices signed in to your account and your recent sign-in activity.',
    open: 'Manage my account security',
    changeHeading: 'Change password',
    current: 'Current password',
    newPassword: 'New password',
    confirmation: 'Confirm new password',
    changeSubmit: 'Change password',
    changed: 'Your password has been changed. Your other devices have been signed out; a confirmation e-mail is on its way.',
    CURRENT_REQUIRED: 'Enter your current password.',
    CURRENT_WRONG: 'The current password is incorrect.',
    CURRENT_THROTTLED: 'Too many attempts at the current password: for your security, wait a few minutes before trying again.',
    sessionsHeading: 'Signed-in devices',
    sessionsIntro: 'The browsers where your Pro Area is open right now.',
    devicesHeading: 'Remembered devices',
    devicesIntro: 'The browsers where you ticked “Remember me”.',
    noDevices: 'No remembered device.',
    browser: 'Browser',
    place: 'Approximate IP address',
    lastSeen: 'Last activity',
    since: 'Since',
    until: 'Until',
    thisDevice: 'this device',
    revoke: 'Revoke',
    revokeLabel: (what: string) => `Revoke: ${what}`,
    revoked: 'Done: this device will have to sign in again.',
    activityHeading: 'Recent sign-in activity',
    activityIntro: 'The last 20 sign-in attempts on your account.',
    noActivity: 'No sign-in recorded.',
    date: 'Date',
    result: 'Result',
    success: 'Succeeded',
    failure: 'Failed',
  },
  // The back office stays French (PRODUCT.md, "Languages").
  bo: fr.bo,
  audit: fr.audit,
  placeholder: {
    title: 'Coming soon',
    body: 'This page will be available soon. In the meantime, please contact our customer service.',
    back: 'Back to sign-in',
  },
  reset: {
    title: 'Forgotten your password? / First sign-in',
    intro:
      'To reset your password, enter your username and your e-mail address, then click “Reset password”. We will send a link to that address so you can reset your password.',
    identifier: 'Username',
    identifierHint: 'Your 5-digit customer code, shown on your invoices, or your own e-mail address.',
    email: 'E-mail',
    emailHint: 'The e-mail address our customer service has on file.',
    submit: 'Reset password',
    newHere: 'New here?',
    requestAccount: 'Request an account',
    IDENTIFIER_REQUIRED: 'Enter your username (5-digit customer code or e-mail address).',
    IDENTIFIER_FORMAT: 'Your username is your 5-digit customer code, shown on your invoices (for example 12345), or your e-mail address.',
    EMAIL_REQUIRED: 'Enter your e-mail address.',
    EMAIL_FORMAT: 'Enter a valid e-mail address (for example name@company.com).',
    sentTitle: 'Check your inbox',
    sentBody: (hours: string) =>
      `If the username and e-mail address you entered match an account, we have just sent a link to that address so you can set your password. Please note: this link is valid for ${hours}.`,
    sentSpam: 'Can’t find the message? It may take a few minutes to arrive; remember to check your junk (spam) folder.',
    problemsTitle: 'If you have problems',
    problemsBody:
      'If you have trouble setting your password, or if your username or e-mail address is not recognised, please contact our customer service so that they can create your web account.',
    problemsAction: 'To do so, click',
    backToLogin: 'Back to sign-in',
  },
  activation: {
    title: 'Activate / reset your user account',
    yourAccount: 'Your web account:',
    identifier: 'Username',
    password: 'Password',
    confirmation: 'Confirm password',
    rules: (min: number) =>
      `At least ${min} characters, 128 at most. Any character is allowed, spaces included: an easy-to-remember sentence makes an excellent password. Avoid common passwords, your customer code, your e-mail address and the brand name.`,
    submit: 'Confirm',
    REQUIRED: 'Enter a password.',
    TOO_SHORT: (min: number, length: number) => `The password must have at least ${min} characters (you entered ${length}).`,
    TOO_LONG: (length: number) => `The password cannot be longer than 128 characters (you entered ${length}).`,
    COMMON: 'This password is one of the most common or already leaked passwords. Choose another one, for example a short sentence.',
    TRIVIAL: 'This password is too predictable (repeated characters or a run of keyboard keys). Choose another one.',
    PREDICTABLE:
      'This password is too easy to guess: a common word or first name with digits, a year, symbols, a repetition or a run of keys added. Choose a short sentence of several words instead.',
    CONTEXT: (brand: string) => `The password must not contain your customer code, your e-mail address or the name “${brand}”.`,
    CONFIRMATION_REQUIRED: 'Confirm the password.',
    MISMATCH: 'The confirmation does not match the password you entered.',
    invalidTitle: 'This link is no longer valid',
    invalidBody: (validity: string) =>
      `This link has expired (it is valid for ${validity}), has already been used, or a more recent link has been sent to you since. For your security, ask for a new link: it only takes a minute.`,
    invalidAction: 'Ask for a new link',
  },
  accountRequest: {
    title: 'Account request',
    intro: 'Fill in and send the form. Our customer service will get back to you as soon as possible.',
    companySection: 'Your company',
    contactSection: 'Your contact details',
    labels: {
      raison_sociale: 'Company name',
      code_client: 'Customer code',
      siret: 'SIRET',
      nom: 'Last name',
      prenom: 'First name',
      email: 'E-mail',
      telephone: 'Phone',
      adresse: 'Address',
      code_postal: 'Postcode',
      ville: 'Town or city',
      pays: 'Country',
      message: 'Message',
    },
    hints: {
      code_client: 'If you are already a customer: the 5-digit code shown on your invoices.',
      siret: 'French company number: 14 digits, spaces allowed.',
      telephone: 'For example 01 23 45 67 89, or +33 1 23 45 67 89 from abroad.',
      message: (max: number) => `Optional, ${max} characters at most.`,
    },
    defaultCountry: 'France',
    honeypotLabel: 'Leave this field empty',
    submit: 'Send',
    REQUIRED: {
      raison_sociale: 'Enter your company name.',
      nom: 'Enter your last name.',
      prenom: 'Enter your first name.',
      email: 'Enter your e-mail address.',
      telephone: 'Enter your phone number.',
    },
    TOO_LONG: (label: string, max: number, length: number) => `The field “${label}” cannot be longer than ${max} characters (you entered ${length}).`,
    CUSTOMER_CODE_FORMAT: 'The customer code has 5 digits and is shown on your invoices (for example 12345). Leave this field empty if you are not a customer yet.',
    SIRET_FORMAT: 'A SIRET number has digits only: 14 digits, spaces allowed (for example 732 829 320 00074).',
    SIRET_LENGTH: (length: number) => `A SIRET number has 14 digits (you entered ${length}).`,
    SIRET_CHECKSUM: 'This SIRET number is not valid. Check it on your Kbis extract or on an invoice.',
    EMAIL_FORMAT: 'Enter a valid e-mail address (for example name@company.com).',
    PHONE_FORMAT:
      'Enter a valid phone number: 10 digits for a French number (for example 01 23 45 67 89), or the international format (for example +33 1 23 45 67 89).',
    POSTAL_CODE_FORMAT: 'Enter a valid postcode (for example 75001).',
    thanksTitle: 'Thank you, your request has been sent',
    thanksBody: 'Our customer service will review it and get back to you as soon as possible, at the e-mail address you gave.',
    thanksSpam: 'Our reply may land in your junk (spam) folder: remember to check it.',
    backToLogin: 'Back to sign-in',
    mail: {
      // The notification goes to customer service, who work in French.
      ...fr.accountRequest.mail,
      ackSubject: (brand: string) => `${brand} – Your account request`,
      ackGreeting: (name: string) => `Hello ${name},`,
      ackBody: (when: string) =>
        `We have received your Pro Area account request, sent on ${when}. Our customer service will get back to you as soon as possible.`,
      ackIgnore: 'If you did not make this request, please ignore this message: no account is opened without a check by our customer service.',
    },
  },
  mail: {
    greeting: (company: string) => `Hello ${company},`,
    signature: (brand: string) => `Kind regards,\nThe ${brand} team`,
    automatic: 'This message was sent automatically, please do not reply to it.',
    link: {
      welcome: {
        subject: (brand: string) => `${brand} – Your Pro Area account is open`,
        intro: (code: string) => `Your Pro Area account is open. Your username is your customer code: ${code}. Click the link below to choose your password:`,
        ignore: 'After that, use “Forgotten your password? / First sign-in” on the sign-in page to get a new link.',
      },
      activation: {
        subject: (brand: string) => `${brand} – Activate your Pro Area`,
        intro: (code: string) => `You asked to activate your Pro Area (username ${code}). Click the link below to choose your password:`,
        ignore: 'If you did not make this request, please ignore this message: your account stays inactive until a password is chosen.',
      },
      reset: {
        subject: (brand: string) => `${brand} – Reset your Pro Area password`,
        intro: (code: string) => `You asked to reset the password of your Pro Area (username ${code}). Click the link below to choose a new password:`,
        ignore: 'If you did not make this request, please ignore this message: your current password stays unchanged.',
      },
    },
    resetButton: 'Choose my password',
    resetValidity: (duration: string, until: string) => `Please note: this link is valid for ${duration}, until ${until}. It can only be used once.`,
    setSubject: (brand: string) => `${brand} – Your password is saved`,
    setBody: (code: string, when: string) =>
      `The password of your Pro Area (username ${code}) was saved on ${when}. Your account is active: sign in with your username and this password.`,
    setWarning: 'If you did not activate this account, contact our customer service immediately.',
    changedSubject: (brand: string) => `${brand} – Your password has been changed`,
    changedBody: (code: string, when: string) => `The password of your Pro Area (username ${code}) was changed on ${when}. All open sessions have been closed.`,
    changedWarning: 'If you did not make this change, contact our customer service immediately.',
    rejectedSubject: (brand: string) => `${brand} – Your account request`,
    rejectedBody: (company: string) => `We have reviewed the web account request for ${company}. Unfortunately we cannot accept it:`,
    rejectedContact: 'If you have any questions, reply to our customer service or call them.',
    supportContact: (email: string | null, phone: string | null) =>
      email && phone
        ? `our customer service, by e-mail at ${email} or by phone on ${phone}`
        : email
          ? `our customer service, by e-mail at ${email}`
          : phone
            ? `our customer service, by phone on ${phone}`
            : 'our customer service',
    emailChangedSubject: (brand: string) => `${brand} – The e-mail address of your Pro Area has been changed`,
    emailChangedBody: (code: string, newEmail: string, when: string) =>
      `On ${when}, our customer service replaced the e-mail address of your Pro Area (username ${code}) with ${newEmail}. From now on, messages from your Pro Area, including the links to choose a password, will go to that new address; this is the last message sent to this one.`,
    emailChangedWarning: (support: string) => `If you did not ask for this change, contact ${support} as soon as possible: we will restore your address.`,
    newDeviceSubject: 'New sign-in to your Pro Area',
    newDeviceBody: (code: string, when: string, browser: string, place: string) =>
      `Someone signed in to your Pro Area (username ${code}) on ${when} from a browser we did not know: ${browser}, approximate IP address ${place}.`,
    newDeviceAdvice: (support: string) =>
      `If it was you, there is nothing to do. Otherwise, change your password now with “Forgotten your password? / First sign-in”, then revoke the devices you do not know under “Security” in your Pro Area; if in doubt, contact ${support}.`,
    alertSubject: (brand: string) => `${brand} – Sign-in attempts on your Pro Area`,
    alertBody: (code: string, failures: number) =>
      `We noticed ${failures} failed sign-in attempts in a row on your Pro Area (username ${code}). For your security, new attempts are slowed down for a few minutes; your account is not locked.`,
    alertAdvice:
      'If it was you, use “Forgotten your password? / First sign-in” to choose a new password. Otherwise, there is nothing to do: your password has not been disclosed.',
  },
  staff: fr.staff,
  privacyNotice: {
    heading: 'Your personal data',
    purpose: (brand: string) =>
      `The information in this form (company, last name, first name, e-mail, phone, address, message) is only used to review your account request and to reply to you; ${brand} is responsible for it and shares it with no one.`,
    retention: (days: number) => `Once your request has been accepted or declined, it is kept for ${days} days, then deleted.`,
    rights: (email: string | null) =>
      `You can ask to see, correct or delete this information, or object to its use, by contacting our customer service${email ? ` (${email})` : ''}.`,
    more: 'Find out more about your data.',
    pageTitle: 'Your personal data',
    pageIntro: (brand: string) => `What ${brand} stores in the Pro Area, why, for how long, and how to exercise your rights.`,
    pageItems: (requestDays: number, auditDays: number) => [
      'Your account: customer code, company name, e-mail address, and your password in a form from which it cannot be recovered. It is used to sign you in and to send you the links to choose your password.',
      'Your sign-ins: devices, browser and approximate IP address, to show you your sessions and warn you of an unusual sign-in. A session lasts 12 hours at most; a remembered device, 30 days.',
      `Account requests: kept for ${requestDays} days after our decision.`,
      `The security log (sign-ins, password changes, customer service actions): kept for ${auditDays} days, to protect your account.`,
      'Your rights: access, correction, deletion, objection and portability. Our customer service exports or deletes your data on request.',
    ],
  },
  privacy: fr.privacy,
  sso: {
    continueTitle: 'Signing in',
    continueBody: (app: string) => `You are signed in. Returning to ${app}…`,
    continueAction: 'Continue',
    logoutTitle: 'Sign out',
    logoutBody: (app: string) => `${app} asks to sign you out. You will also be signed out of the Pro Area and of the other applications.`,
    logoutAction: 'Sign out',
    loggedOutTitle: 'You are signed out',
    loggedOutBody: 'You are signed out of the Pro Area and of the linked applications.',
    errorTitle: 'Sign-in failed',
    errorBody: 'The application could not sign you in: the link is invalid or has expired. Go back to the application’s website and try again.',
    appsTitle: 'Your applications',
    appsIntro: 'Open an application: you are signed in there without typing your password again.',
    grantsTitle: 'Connected applications',
    grantsNone: 'No application is connected to your account.',
    grantsRevoke: 'Revoke',
    grantsRevoked: 'The application has been disconnected from your account.',
  },
  ssoAdmin: fr.ssoAdmin,
  errors: {
    notFoundTitle: 'Page not found',
    notFoundBody: 'The page you asked for does not exist or has moved.',
    serverTitle: 'Something went wrong',
    serverBody: 'We could not process your request. Please try again in a few moments.',
    badRequestTitle: 'Bad request',
    badRequestBody: 'The form sent is not valid. Please go back and try again.',
    tooLargeTitle: 'Form too large',
    tooLargeBody: 'The form sent is too large. Please check the values you entered.',
    csrfTitle: 'Page expired',
    csrfBody: 'For your security, this form has expired. Please reload the page and try again.',
    tooManyTitle: 'Too many attempts',
    tooManyBody: (minutes: number) => `Too many attempts from your connection. For your security, please try again in ${minutes} minute${minutes > 1 ? 's' : ''}.`,
    unavailableTitle: 'Service temporarily unavailable',
    unavailableBody: 'The service is temporarily unavailable. Please try again in a few moments.',
    backHome: 'Back to home page',
  },
} satisfies Catalogue;

/**
 * `satisfies` lets a function take fewer parameters than its French twin (TypeScript accepts
 * that); a sentence that forgets a value it is given is a bug, so the arities must match too.
 */
type SameArity<A, B> = A extends (...args: infer PA) => unknown
  ? B extends (...args: infer PB) => unknown
    ? [PA['length'], PB['length']] extends [PB['length'], PA['length']]
      ? true
      : false
    : false
  : A extends string
    ? true
    : A extends object
      ? { [K in keyof B]-?: K extends keyof A ? SameArity<A[K], B[K]> : false }[keyof B] extends true
        ? true
        : false
      : true;
const sameArity: SameArity<typeof en, Catalogue> = true;
void sameArity;
