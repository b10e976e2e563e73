using System.Net;
using Meshwork.Web.Security;

namespace Meshwork.Web.Tests.Security;

public sealed class LoopbackTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://127.0.0.1:1;http://[::1]:2", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://+:80", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://192.168.1.2:5080", false)]
    [InlineData("http://127.0.0.1:1;http://10.0.0.5:2", false)]
    [InlineData("http://meshwork.example.com:80", false)]
    public void OnlyLoopback_Urls_IsTrueOnlyWhenEveryOneStaysOnThisMachine(string urls, bool expected) =>
        Assert.Equal(expected, Loopback.OnlyLoopback(urls));

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    public void IsLocal_RemoteAddress_IsTrueForLoopbackOnly(string address, bool expected) =>
        Assert.Equal(expected, Loopback.IsLocal(IPAddress.Parse(address)));

    [Fact]
    public void IsLocal_NoRemoteAddress_IsFalse() => Assert.False(Loopback.IsLocal(null));
}
