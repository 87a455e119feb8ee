// Optional enhancement; every page works without it.
// Choosing a code in "andere code" selects that choice; typing minutes late selects "te laat".
document.addEventListener("change", function (event) {
  var el = event.target;
  var id = el.getAttribute && (el.getAttribute("data-other") || el.getAttribute("data-late"));
  if (!id || el.value === "") return;
  var radio = document.getElementById(id);
  if (radio) radio.checked = true;
});
