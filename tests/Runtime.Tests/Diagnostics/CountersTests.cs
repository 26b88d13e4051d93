using Channels.Tests.Conformance;

namespace Channels.Tests.Diagnostics;

/// <summary>
/// <c>dotnet-counters</c> reads the meter <c>Channels.SDK</c> from a running app, as docs/observability.md
/// says: the tool (installed into artifacts/tools on first use) collects from this test process while a
/// client is connected.
/// </summary>
public sealed class CountersTests
{
    private const string ToolVersion = "10.0.750501";

    [Fact]
    public async Task Dotnet_counters_reads_the_Channels_SDK_meter_of_a_running_app()
    {
        var tools = Repo.Path("artifacts", "tools", "dotnet-counters-" + ToolVersion);
        var tool = Path.Combine(tools, "dotnet-counters");
        if (!File.Exists(tool))
        {
            var (code, output) = await DotnetCommand.RunAsync("dotnet", $"tool install dotnet-counters --version {ToolVersion} --tool-path \"{tools}\"", Repo.Root, timeout: TimeSpan.FromMinutes(3));
            Assert.True(code == 0, output);
        }

        await using var server = await TestServer.StartAsync(new HandlerList());
        using var raw = new RawClient(server.Address);
        var (client, _) = await raw.OpenWebSocketAsync("/socket.io");
        await using var _ = client;
        await client.SendTextAsync("40");
        await client.ReceivePacketAsync();

        var file = Path.Combine(Path.GetTempPath(), $"channels-counters-{Guid.NewGuid():N}.csv");
        try
        {
            var collecting = DotnetCommand.RunAsync(
                tool,
                $"collect --process-id {Environment.ProcessId} --counters Channels.SDK --refresh-interval 1 --duration 00:00:00:08 --format csv --output \"{file}\"",
                Repo.Root,
                timeout: TimeSpan.FromMinutes(1));

            // A meter reports what is measured while a tool listens: keep messages flowing until it is done.
            while (!collecting.IsCompleted)
            {
                await client.SendTextAsync("""42["traffic"]""");
                await Task.WhenAny(collecting, Task.Delay(100));
            }

            var (code, output) = await collecting;
            Assert.True(code == 0, output);

            // Timestamp,Provider,Counter Name,Counter Type,Mean/Increment — one row per counter and interval.
            var rows = await File.ReadAllLinesAsync(file);
            Assert.True(
                rows.Any(r => r.Contains(",Channels.SDK,", StringComparison.Ordinal) && r.Contains("channels.messages.received", StringComparison.Ordinal)),
                string.Join(Environment.NewLine, rows.Take(20)));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
