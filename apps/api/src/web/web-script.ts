/**
 * The site's only script, served from our own origin (/assets/paperboy.js, so no inline script is needed under a
 * Content-Security-Policy). It fills the subscribe form's time zone with the browser's own, once, on a fresh form;
 * the field stays an ordinary editable text field, and without JavaScript it keeps its default (UTC).
 *
 * Vote forms (a digest's web view, a paper page opened from it) post without a page reload: the same POST /vote
 * the form makes, asking for JSON; the pressed button shows the vote, and pressing it again takes the vote back.
 * Without JavaScript, or where the request fails before an answer, the form posts as a form.
 */
export const WEB_JS = `(function () {
  var field = document.querySelector('input[data-guess-timezone]');
  if (!field || field.value !== field.defaultValue) return;
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone || zone === field.value) return;
  field.value = zone;
  var note = document.getElementById('timezone-guess');
  if (note) note.textContent = 'Guessed from your browser: ' + zone + '. Change it if it is wrong.';
})();
(function () {
  if (!window.fetch || !window.URLSearchParams) return;
  var SAID = { up: 'Saved: useful to you. Press again to undo.', down: 'Saved: not for you. Press again to undo.', none: 'Vote taken back.' };
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!form.hasAttribute || !form.hasAttribute('data-vote-form') || !button || button.name !== 'token') return;
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    var status = form.querySelector('.vote-status');
    var buttons = form.querySelectorAll('button[data-vote]');
    var body = new URLSearchParams();
    body.set('token', button.value);
    form.setAttribute('aria-busy', 'true');
    fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString()
    }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    }).then(function (answer) {
      form.removeAttribute('aria-busy');
      for (var i = 0; i < buttons.length; i++) {
        var vote = buttons[i].getAttribute('data-vote');
        var pressed = vote === answer.vote;
        buttons[i].setAttribute('aria-pressed', String(pressed));
        buttons[i].value = pressed ? answer.tokens.none : answer.tokens[vote];
      }
      if (status) status.textContent = SAID[answer.vote] || '';
    }).catch(function () {
      form.removeAttribute('aria-busy');
      if (status) status.textContent = 'The vote could not be saved. Please try again.';
    });
  });
})();
`;
