using System.Net;
using Channels.Diagnostics;
using Channels.Tests.Conformance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Channels.Tests.Diagnostics;

/// <summary>The <c>channels</c> health check, as an app exposes it with <c>MapHealthChecks</c>.</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task The_channels_check_reports_sessions_sockets_and_the_backplane()
    {
        await using var server = await TestServer.StartAsync(
            new HandlerList(),
            map: app =>
            {
                app.MapChannels();
                app.MapHealthChecks("/healthz", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
                {
                    ResponseWriter = static async (context, report) =>
                    {
                        var entry = report.Entries["channels"];
                        await context.Response.WriteAsync($"{entry.Status};{entry.Data["sessions"]};{entry.Data["sockets"]};{entry.Data["sessionsNearOutboundBound"]};{entry.Data["backplane"]}");
                    },
                });
            });
        using var raw = new RawClient(server.Address);
        var (client, _) = await raw.OpenWebSocketAsync("/socket.io");
        await using var _ = client;
        await client.SendTextAsync("40");
        await client.ReceivePacketAsync();

        var (status, body) = await raw.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy;1;1;0;local", body);
    }

    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(100, 9, false)]
    [InlineData(1000, 99, false)]
    [InlineData(1000, 100, true)]
    [InlineData(10, 10, true)]
    public void Degraded_when_a_tenth_of_the_sessions_and_at_least_ten_are_near_their_bound(int sessions, int near, bool degraded) =>
        Assert.Equal(degraded, ChannelsHealthCheck.IsDegraded(sessions, near));
}
