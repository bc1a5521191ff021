// Progressive enhancement only: every page works without this file.
document.addEventListener('DOMContentLoaded', function () {
  var summary = document.getElementById('resume-erreurs');
  if (summary) summary.focus();
});
