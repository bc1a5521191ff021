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
    var meters = document.querySelectorAll('input[data-force-min]');
    for (var m = 0; m < meters.length; m++) addStrengthMeter(meters[m]);
    preventDoubleSubmit();
    focusErrorSummary();
    tabOnlyToScrollingTables();
    recoveryCodeTools();
  }

  /** Print and copy buttons for the staff's recovery codes: shown only where a script can run them. */
  function recoveryCodeTools() {
    var tools = document.querySelector('[data-outils-codes]');
    if (!tools) return;
    tools.removeAttribute('hidden');
    var print = tools.querySelector('[data-imprimer]');
    if (print) print.addEventListener('click', function () { window.print(); });
    var copy = tools.querySelector('[data-copier]');
    var status = tools.querySelector('.copy-status');
    if (copy) {
      copy.addEventListener('click', function () {
        var list = document.getElementById(copy.getAttribute('data-copier'));
        var text = Array.prototype.map.call(list.querySelectorAll('code'), function (c) { return c.textContent; }).join('\n');
        if (!navigator.clipboard) return;
        navigator.clipboard.writeText(text).then(function () {
          if (status) status.textContent = copy.getAttribute('data-copie-ok') || '';
        });
      });
    }
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

  /**
   * The strength status under a new-password field, with the server's rules that can run here:
   * length in code points after NFKC (minimum from the page, maximum 128), repeated characters
   * or keyboard walks, and the words tied to the account. The common-password list (about
   * 77,000 words) stays on the server, which checks it at submit. Messages come from data-*
   * attributes, so this file holds no French text.
   */
  var SEQUENCES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'azertyuiop', 'qsdfghjklm', 'wxcvbn', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

  function fold(value) {
    return value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }

  function isTrivial(compact) {
    var chars = Array.from(compact);
    if (new Set(chars).size < 5) return true;
    for (var i = 1; i < chars.length; i++) {
      var prev = chars[i - 1];
      var c = chars[i];
      if (prev === c) continue;
      var neighbour = SEQUENCES.some(function (row) {
        var a = row.indexOf(prev);
        var b = row.indexOf(c);
        return a >= 0 && b >= 0 && (Math.abs(a - b) === 1 || Math.abs(a - b) === row.length - 1);
      });
      if (!neighbour) return false;
    }
    return true;
  }

  function addStrengthMeter(input) {
    var status = document.getElementById(input.id + '-force');
    if (!status) return;
    var min = Number(input.getAttribute('data-force-min')) || 15;
    var words = (input.getAttribute('data-force-mots') || '').split(' ').filter(Boolean);
    var described = input.getAttribute('aria-describedby');
    input.setAttribute('aria-describedby', (described ? described + ' ' : '') + status.id);
    function message(key, n) {
      return (status.getAttribute('data-' + key) || '').replace('{n}', n).replace('{min}', min).replace('{reste}', Math.max(0, min - n));
    }
    function update() {
      var value = input.value.normalize('NFKC');
      var n = Array.from(value).length;
      var compact = fold(value).replace(/\s+/g, '');
      var state;
      if (n === 0) state = 'vide';
      else if (n > 128) state = 'long';
      else if (n < min) state = min - n === 1 ? 'court-un' : 'court';
      else if (isTrivial(compact)) state = 'previsible';
      else if (words.some(function (w) { return compact.indexOf(w) >= 0; })) state = 'contexte';
      else state = 'ok';
      status.textContent = message(state, n);
      status.setAttribute('data-etat', state === 'court-un' ? 'court' : state);
    }
    input.addEventListener('input', update);
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
