// The usage page's chart, from the JSON the server put in #cost-data (a file, not an inline
// script: the console's Content-Security-Policy runs scripts from the console's own files only).
document.addEventListener('DOMContentLoaded', () => {
  const canvas = document.getElementById('cost-chart');
  const data = document.getElementById('cost-data');
  if (!canvas || !data) return;
  new Chart(canvas, {
    type: 'line',
    data: JSON.parse(data.textContent),
    options: { responsive: true, scales: { y: { type: 'logarithmic', title: { display: true, text: 'quantity per day' } } } }
  });
});
