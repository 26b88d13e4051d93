using System.Diagnostics;
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
        var info = new ProcessStartInfo("node", "--test channels-client.test.mjs")
        {
            WorkingDirectory = Repo.Path("tests", "Runtime.Tests", "node"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        var log = await stdout + await stderr;
        output.WriteLine(log);

        Assert.True(process.ExitCode == 0, log);
        Assert.Contains("# fail 0", log, StringComparison.Ordinal);
    }
}
