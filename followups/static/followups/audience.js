/* The audience preview: "Send now" sends once. A second click (or Enter)
   while the first is on its way is ignored and the button is disabled; the
   server's one-time token refuses a second wave anyway. */
(function () {
  "use strict";
  var form = document.querySelector(".audience-preview form");
  if (!form) { return; }
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    // Disabled after the form's values are read, so "send" is still posted.
    window.setTimeout(function () {
      form.querySelectorAll('[type="submit"]').forEach(function (button) { button.disabled = true; });
    }, 0);
  });
}());
