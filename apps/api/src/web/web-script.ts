/**
 * The site's only script, served from our own origin (/assets/paperboy.js, so no inline script is needed under a
 * Content-Security-Policy). It fills the subscribe form's time zone with the browser's own, once, on a fresh form;
 * the field stays an ordinary editable text field, and without JavaScript it keeps its default (UTC).
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
`;
