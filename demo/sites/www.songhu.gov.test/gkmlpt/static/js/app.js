(function () {
  var sid = window._CONFIG.SID, app = document.getElementById('app');
  fetch('/gkmlpt/api/tree?sid=' + sid).then(function (r) { return r.json(); }).then(function (tree) {
    app.innerHTML = tree.map(function (c) { return '<div class="cat" data-id="' + c.id + '">' + c.name + '</div>'; }).join('');
  });
})();