// Client-side sorting of leaderboard tables: works from file:// with no server. Only the rows of the
// reproduced results move; rows reported in the paper stay below them.
(function () {
  function key(cell) {
    var v = cell.getAttribute('data-value');
    if (v === null || v === '') { return null; }
    var n = Number(v);
    return isNaN(n) ? v.toLowerCase() : n;
  }
  document.querySelectorAll('table.sortable-table').forEach(function (table) {
    var body = table.querySelector('tbody.reproduced');
    if (!body) { return; }
    table.querySelectorAll('th.sortable').forEach(function (th, index) {
      th.addEventListener('click', function () {
        var col = Number(th.getAttribute('data-col'));
        var asc = !th.classList.contains('sorted-asc');
        table.querySelectorAll('th.sortable').forEach(function (o) { o.classList.remove('sorted-asc', 'sorted-desc'); });
        th.classList.add(asc ? 'sorted-asc' : 'sorted-desc');
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          if (x === y) { return 0; }
          if (x === null) { return 1; }
          if (y === null) { return -1; }
          return (x < y ? -1 : 1) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();

// "only verified rows": hides the reproduced rows whose seeds are not all verified.
(function () {
  var box = document.getElementById('verified-only');
  if (!box) { return; }
  box.addEventListener('change', function () {
    document.querySelectorAll('tbody.reproduced tr').forEach(function (tr) {
      tr.style.display = box.checked && tr.getAttribute('data-verified') !== 'true' ? 'none' : '';
    });
  });
})();
