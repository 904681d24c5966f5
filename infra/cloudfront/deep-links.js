// CloudFront Function (cloudfront-js-2.0), viewer request, on the distribution's default (S3)
// behaviour only: /api/* is another behaviour and never reaches it. A path whose last segment
// has no dot (/, /sign-in, /returns/2026-12) is a page of the single-page client, so S3 is asked
// for /index.html and the client's router reads the address bar; a file (/app.css) is served as
// it is. Not CustomErrorResponses: those apply to the whole distribution and would turn the API's
// JSON 403/404 answers into HTML.
function handler(event) {
    var request = event.request;
    var uri = request.uri;
    var last = uri.substring(uri.lastIndexOf('/') + 1);
    if (last.indexOf('.') === -1) {
        request.uri = '/index.html';
    }
    return request;
}
