// Progressive enhancement only: every page works without this file. The CSP allows no inline
// script, so every behaviour lives here; its words come from the page (data-* on <body>, filled
// from the French catalogue), so this file holds no sentence of its own.
(function () {
  'use strict';

  // A form can be sent again after 10 s without an answer, so a stalled connection can be retried.
  var RESUBMIT_AFTER_MS = 10000;

  function init() {
    var body = document.body;
    var showLabel = body.getAttribute('data-texte-afficher-mot-de-passe');
    var hideLabel = body.getAttribute('data-texte-masquer-mot-de-passe');
    if (showLabel && hideLabel) {
      var passwords = document.querySelectorAll('input[type=password]');
      for (var i = 0; i < passwords.length; i++) addPasswordToggle(passwords[i], showLabel, hideLabel);
    }
    preventDoubleSubmit();
    focusErrorSummary();
    tabOnlyToScrollingTables();
  }

  /** A wide table's box is a tab stop only while it actually scrolls (on a phone, say). */
  function tabOnlyToScrollingTables() {
    var boxes = document.querySelectorAll('.table-scroll');
    if (boxes.length === 0) return;
    function update() {
      for (var i = 0; i < boxes.length; i++) {
        if (boxes[i].scrollWidth > boxes[i].clientWidth) boxes[i].setAttribute('tabindex', '0');
        else boxes[i].removeAttribute('tabindex');
      }
    }
    update();
    window.addEventListener('resize', update);
  }

  /** A real button next to the field: "Afficher le mot de passe" / "Masquer le mot de passe". */
  function addPasswordToggle(input, showLabel, hideLabel) {
    if (!input.id) return;
    var wrapper = document.createElement('div');
    wrapper.className = 'password-input';
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    // Shown as text, the password must not be spell-checked (sent off to a service) or capitalised.
    input.setAttribute('spellcheck', 'false');
    input.setAttribute('autocapitalize', 'none');

    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'button password-toggle';
    button.setAttribute('aria-controls', input.id);
    wrapper.appendChild(button);

    function render(visible) {
      input.type = visible ? 'text' : 'password';
      button.setAttribute('aria-pressed', visible ? 'true' : 'false');
      button.textContent = visible ? hideLabel : showLabel;
    }
    render(false);
    button.addEventListener('click', function () {
      render(input.type === 'password');
    });
    // The password never leaves as a text field (browsers would offer to remember it as such).
    if (input.form) {
      input.form.addEventListener('submit', function () {
        render(false);
      });
    }
  }

  /** A second click on "Valider" while the first is on its way does nothing. */
  function preventDoubleSubmit() {
    document.addEventListener('submit', function (event) {
      var form = event.target;
      if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
      var since = Number(form.getAttribute('data-envoi-depuis') || 0);
      if (since && Date.now() - since < RESUBMIT_AFTER_MS) {
        event.preventDefault();
        return;
      }
      form.setAttribute('data-envoi-depuis', String(Date.now()));
      // aria-disabled rather than disabled: the button stays in the tab order and keeps focus.
      var buttons = form.querySelectorAll('button[type=submit], button:not([type])');
      for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute('aria-disabled', 'true');
      window.setTimeout(function () {
        release(form);
      }, RESUBMIT_AFTER_MS);
    });
    // Back to a page kept in the back/forward cache: its forms are usable again.
    window.addEventListener('pageshow', function (event) {
      if (!event.persisted) return;
      var forms = document.querySelectorAll('form[data-envoi-depuis]');
      for (var i = 0; i < forms.length; i++) release(forms[i]);
    });
  }

  function release(form) {
    form.removeAttribute('data-envoi-depuis');
    var buttons = form.querySelectorAll('[aria-disabled=true]');
    for (var i = 0; i < buttons.length; i++) buttons[i].removeAttribute('aria-disabled');
  }

  /** After a failed submit, focus goes to the summary; its links focus the field they name. */
  function focusErrorSummary() {
    var summary = document.getElementById('resume-erreurs');
    if (!summary) return;
    summary.focus();
    summary.addEventListener('click', function (event) {
      var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
      var field = link && document.getElementById(link.getAttribute('href').slice(1));
      if (!field) return;
      event.preventDefault();
      // The label and the message above the field come into view with it.
      var label = document.querySelector('label[for="' + field.id + '"]');
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
