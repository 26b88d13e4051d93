using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Channels.Tests.Integration;

/// <summary>Endpoint conventions and instruments on the Channels endpoint.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task RequireCors_on_MapChannels_answers_preflight_and_polling_for_an_allowed_origin()
    {
        const string origin = "https://app.example";
        await using var server = await TestServer.StartAsync(
            TestApp.Handlers(),
            configure: o => o.AllowedOrigins.Add(origin),
            services: s => s.AddCors(c => c.AddPolicy("app", p => p.WithOrigins(origin).AllowCredentials().AllowAnyHeader())),
            map: app =>
            {
                app.UseCors();
                app.MapChannels().RequireCors("app");
            });
        using var http = new HttpClient { BaseAddress = server.Address };

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "socket.io/?EIO=4&transport=polling");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        var preflightResponse = await http.SendAsync(preflight);
        using var poll = new HttpRequestMessage(HttpMethod.Get, "socket.io/?EIO=4&transport=polling");
        poll.Headers.Add("Origin", origin);
        var pollResponse = await http.SendAsync(poll);

        Assert.True(preflightResponse.IsSuccessStatusCode);
        Assert.Equal(origin, preflightResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(System.Net.HttpStatusCode.OK, pollResponse.StatusCode);
        Assert.Equal(origin, pollResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Metrics_count_connections_and_messages()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        var meters = server.Services.GetRequiredService<IMeterFactory>();
        var measurements = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this server's meter: other tests run servers in the same process at the same time.
            if (instrument.Meter.Name == "Channels.SDK" && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.Start();
        await using var node = NodeClients.Start();

        await node.ConnectedAsync("a", server.Address, options: new { transports = new[] { "websocket" } });
        await node.EmitWithAckAsync("a", "echo", "counted");

        Assert.Equal(1, measurements.GetValueOrDefault("channels.connections"));
        Assert.True(measurements.GetValueOrDefault("channels.messages.received") >= 2);
        Assert.True(measurements.GetValueOrDefault("channels.messages.sent") >= 1);
        Assert.True(measurements.GetValueOrDefault("channels.bytes.sent") > 0);
    }

    [Fact]
    public async Task MapChannels_conventions_reach_every_endpoint_it_maps_and_none_has_a_request_timeout()
    {
        await using var server = await TestServer.StartAsync(
            TestApp.Handlers(),
            map: app => app.MapChannels().WithMetadata("convention reached"));
        var endpoints = server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(e => e.DisplayName?.StartsWith("Channels", StringComparison.Ordinal) == true)
            .ToArray();
        using var http = new HttpClient { BaseAddress = server.Address };

        Assert.Equal(3, endpoints.Length);
        Assert.All(endpoints, e => Assert.Contains("convention reached", e.Metadata.OfType<string>()));
        var socketIo = Assert.Single(endpoints, e => e.DisplayName == "Channels /socket.io");
        Assert.NotNull(socketIo.Metadata.GetMetadata<DisableRequestTimeoutAttribute>());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("socket.io/channels.js")).StatusCode);
    }

    [Fact]
    public async Task Options_out_of_range_stop_the_app_at_start_with_every_problem_named()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(
            TestApp.Handlers(),
            configure: o =>
            {
                o.PingInterval = TimeSpan.Zero;
                o.MaxPendingEvents = 0;
            }));

        Assert.Contains("ChannelsOptions.PingInterval must be more than zero", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ChannelsOptions.MaxPendingEvents must be at least 1; it is 0.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MapChannels_without_AddChannels_says_what_is_missing()
    {
        var builder = WebApplication.CreateSlimBuilder();
        using var app = builder.Build();

        var failure = Assert.Throws<InvalidOperationException>(() => app.MapChannels());

        Assert.Contains("builder.Services.AddChannels()", failure.Message, StringComparison.Ordinal);
    }
}

