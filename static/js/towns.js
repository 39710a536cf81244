// The complaint form's town list shows only the towns of the county chosen above it.
// Without JavaScript every county's towns are listed, grouped by county.
(function () {
  "use strict";
  function filter(townSelect, countySelect) {
    var county = countySelect.value;
    var groups = townSelect.querySelectorAll("optgroup[data-county]");
    for (var i = 0; i < groups.length; i++) {
      var shown = !county || groups[i].getAttribute("data-county") === county;
      groups[i].hidden = !shown;
      groups[i].disabled = !shown;
      if (!shown && townSelect.selectedOptions.length && townSelect.selectedOptions[0].parentNode === groups[i]) {
        townSelect.value = "";
      }
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var selects = document.querySelectorAll("select[data-county-select]");
    for (var i = 0; i < selects.length; i++) {
      var townSelect = selects[i];
      var countySelect = document.getElementById(townSelect.getAttribute("data-county-select"));
      if (!countySelect) continue;
      filter(townSelect, countySelect);
      countySelect.addEventListener("change", filter.bind(null, townSelect, countySelect));
    }
  });
})();
