// Sortable tables of the `policy-pipeline compare` report (pipeline/report.py inlines this file):
// a click on a header sorts by that column, numbers numerically, text in Chinese collation;
// a second click reverses the order.
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var direction = th.dataset.dir === "asc" ? "desc" : "asc";
      table.querySelectorAll("th").forEach(function (other) { delete other.dataset.dir; });
      th.dataset.dir = direction;
      var sign = direction === "asc" ? 1 : -1;
      var body = table.tBodies[0];
      var key = function (row) { var cell = row.cells[column]; return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent; };
      Array.from(body.rows).sort(function (a, b) {
        var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        if (x === "" || y === "") { return (x === "") - (y === ""); }
        return sign * (!isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y, "zh"));
      }).forEach(function (row) { body.appendChild(row); });
    });
  });
});
