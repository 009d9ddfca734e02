// Keeps each scoring form's total running as the expert types: the sum of the numbers entered
// so far, blanks counting as nothing. The server shows the saved total when the page loads.
(function () {
  'use strict';
  var forms = document.querySelectorAll('form.scoring');
  function update(form) {
    var output = form.querySelector('[data-score-total]');
    if (!output) return;
    var inputs = form.querySelectorAll('input[type="number"]');
    var total = 0;
    for (var i = 0; i < inputs.length; i++) {
      var value = parseFloat(inputs[i].value);
      if (!isNaN(value)) total += value;
    }
    output.textContent = String(Math.round(total * 100) / 100);
  }
  for (var i = 0; i < forms.length; i++) {
    (function (form) {
      form.addEventListener('input', function () { update(form); });
      update(form);
    })(forms[i]);
  }
})();
