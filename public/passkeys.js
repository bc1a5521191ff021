// Passkeys (WebAuthn), progressive enhancement only: every passkey control is rendered `hidden`
// and shown here only when the browser supports WebAuthn, so without this file (or without
// JavaScript) the pages are exactly the password pages. The ceremonies run through
// @simplewebauthn/browser (/static/webauthn.js, loaded before this file); the options come from
// the form's data-cle-options address (POST with the form's CSRF token), and the browser's answer
// is posted with the form itself, so the server answers like any form: a redirect or a page.
// The words shown come from the page (data-cle-erreur), never from this file.
(function () {
  'use strict';

  var W = window.SimpleWebAuthnBrowser;

  function supported() {
    return Boolean(W && typeof W.browserSupportsWebAuthn === 'function' && W.browserSupportsWebAuthn());
  }

  function init() {
    if (!supported()) return;
    var hints = document.querySelectorAll('[data-cle-sans-support]');
    for (var h = 0; h < hints.length; h++) hints[h].hidden = true;
    var blocks = document.querySelectorAll('[data-cle]');
    for (var i = 0; i < blocks.length; i++) setUp(blocks[i]);
  }

  function setUp(block) {
    var kind = block.getAttribute('data-cle');
    block.hidden = false;
    if (kind === 'invitation') return;
    var button = block.querySelector('button[type=button]');
    if (button) {
      button.addEventListener('click', function () {
        run(block, kind, false);
      });
    }
    // Passkeys offered in the autofill of Identifiant (autocomplete="username webauthn").
    if (kind === 'connexion' && block.getAttribute('data-cle-autofill') !== 'non' && typeof W.browserSupportsWebAuthnAutofill === 'function') {
      W.browserSupportsWebAuthnAutofill().then(function (ok) {
        if (ok) run(block, kind, true);
      });
    }
  }

  /** The form's CSRF field; a form rendered without one (the login page) takes the page's token. */
  function csrfField(form) {
    var own = form.querySelector('input[name=_csrf]');
    if (own) return own;
    var page = document.querySelector('input[name=_csrf]');
    if (!page) return null;
    var copy = document.createElement('input');
    copy.type = 'hidden';
    copy.name = '_csrf';
    copy.value = page.value;
    form.appendChild(copy);
    return copy;
  }

  function askOptions(form) {
    var token = csrfField(form);
    return fetch(form.getAttribute('data-cle-options'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ _csrf: token ? token.value : '' }),
    }).then(function (res) {
      return res.json().then(function (body) {
        if (res.ok) return body;
        // The server wants something first (the password again, a fresh code): go there.
        if (body && typeof body.redirect === 'string' && body.redirect.charAt(0) === '/' && body.redirect.charAt(1) !== '/') window.location.assign(body.redirect);
        var refused = new Error('options refused');
        // Too many requests from this connection: the server's sentence says how long to wait.
        if (body && typeof body.message === 'string') refused.serverMessage = body.message;
        throw refused;
      });
    });
  }

  function submitWith(form, response) {
    form.querySelector('input[name=reponse]').value = JSON.stringify(response);
    // "Mémoriser mes identifiants" of the password form applies to a passkey sign-in too.
    var remember = form.querySelector('input[name=memoriser]');
    var box = document.getElementById('memoriser');
    if (remember && box) {
      remember.value = '1';
      remember.disabled = !box.checked;
    }
    form.submit();
  }

  function showMessage(form, text) {
    var box = form.querySelector('.passkey-message');
    if (!box) return;
    box.textContent = text || '';
    box.hidden = !text;
  }

  function run(form, kind, conditional) {
    showMessage(form, null);
    return askOptions(form)
      .then(function (options) {
        if (kind === 'ajout') return W.startRegistration({ optionsJSON: options });
        return W.startAuthentication({ optionsJSON: options, useBrowserAutofill: conditional });
      })
      .then(
        function (response) {
          submitWith(form, response);
        },
        function (error) {
          // The autofill request ends quietly (a click on the button aborts it on purpose).
          if (conditional || (error && error.name === 'AbortError')) return;
          showMessage(form, (error && error.serverMessage) || form.getAttribute('data-cle-erreur'));
        },
      );
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
