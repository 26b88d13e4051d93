using Xunit.Abstractions;

namespace Channels.Tests.Integration;

/// <summary>
/// The browser client's own unit tests (node/channels-client.test.mjs: a fake WebSocket and mocked
/// timers), run with Node's test runner so that CI runs them with everything else.
/// </summary>
public sealed class ChannelsJsUnitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_browser_client_unit_tests_pass()
    {
        var (exitCode, log) = await NodeScript.RunAsync("--test channels-client.test.mjs", TimeSpan.FromMinutes(1));
        output.WriteLine(log);

        Assert.True(exitCode == 0, log);
        Assert.Contains("# fail 0", log, StringComparison.Ordinal);
    }
}
