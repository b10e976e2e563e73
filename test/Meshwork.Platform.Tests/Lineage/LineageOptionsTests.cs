using Meshwork.Loading;
using Meshwork.Platform.Lineage;

namespace Meshwork.Platform.Tests.Lineage;

/// <summary>The standard OpenLineage client variables, read as the clients read them.</summary>
public sealed class LineageOptionsTests
{
    private static LineageOptions Read(params (string Name, string Value)[] variables) =>
        LineageOptions.FromEnvironment(variables.ToDictionary(v => v.Name, v => v.Value).GetValueOrDefault);

    [Fact]
    public void Nothing_Set_IsOff()
    {
        var options = Read();

        Assert.False(options.Enabled);
        Assert.Null(options.CreateTransport());
        Assert.False(new LineageEmitter(options).Enabled);
    }

    [Fact]
    public void Url_WithoutAnEndpoint_PostsToTheDefaultEndpoint_AndTheKeyIsKept()
    {
        var options = Read((LineageOptions.UrlVariable, "http://localhost:5000"), (LineageOptions.ApiKeyVariable, "k"));

        Assert.Equal(new Uri("http://localhost:5000/api/v1/lineage"), options.EventsUrl);
        Assert.Equal("k", options.ApiKey);
        Assert.IsType<HttpLineageTransport>(options.CreateTransport());
    }

    [Fact]
    public void Endpoint_JoinsTheUrlWithOneSlash()
    {
        var options = Read((LineageOptions.UrlVariable, "https://lineage.example.com/base/"), (LineageOptions.EndpointVariable, "/events"));

        Assert.Equal(new Uri("https://lineage.example.com/base/events"), options.EventsUrl);
    }

    [Fact]
    public void File_WithoutAUrl_ChoosesTheFileTransport_AndDisabledWinsOverBoth()
    {
        var file = Read((LineageOptions.FileVariable, "events.ndjson"));
        var off = Read((LineageOptions.FileVariable, "events.ndjson"), (LineageOptions.UrlVariable, "http://localhost:5000"), (LineageOptions.DisabledVariable, "true"));

        Assert.Equal(Path.GetFullPath("events.ndjson"), Assert.IsType<FileLineageTransport>(file.CreateTransport()).FilePath);
        Assert.False(off.Enabled);
    }

    [Fact]
    public void Url_NotHttp_FailsNamingTheVariable()
    {
        var e = Assert.Throws<MeshworkException>(() => Read((LineageOptions.UrlVariable, "localhost:5000")));

        Assert.Contains(LineageOptions.UrlVariable, e.Message, StringComparison.Ordinal);
    }
}
