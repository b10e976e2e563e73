using System.Net.Http.Headers;
using System.Text;

namespace Meshwork.Platform.Lineage;

/// <summary>
/// POSTs each event as JSON to an OpenLineage receiver (Marquez, or any backend of the HTTP spec), with the API key as
/// a Bearer token; a status other than 2xx throws, so the emitter retries it.
/// </summary>
public sealed class HttpLineageTransport : ILineageTransport, IDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _url;

    public HttpLineageTransport(Uri url, string? apiKey, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(url);
        _url = url;
        _client = new HttpClient { Timeout = timeout };
        if (!string.IsNullOrEmpty(apiKey))
        {
            _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    public async Task SendAsync(string runEvent, CancellationToken cancellationToken)
    {
        using var content = new StringContent(runEvent, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(_url, content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the OpenLineage receiver at {_url} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
    }

    public void Dispose() => _client.Dispose();
}
