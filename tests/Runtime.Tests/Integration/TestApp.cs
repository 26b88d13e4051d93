using System.Text.Json;
using Channels.Dispatch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Channels.Tests.Integration;

/// <summary>A small app with channel handlers of every kind, used by the real-client tests.</summary>
public static class TestApp
{
    /// <summary>The test app with <c>RequireAuthorization()</c> on <c>MapChannels()</c>; a request is authenticated by an <c>X-User</c> header.</summary>
    public static Task<TestServer> StartWithAuthorizationAsync() =>
        TestServer.StartAsync(
            Handlers(),
            services: s =>
            {
                Microsoft.Extensions.DependencyInjection.AuthenticationServiceCollectionExtensions
                    .AddAuthentication(s, "test")
                    .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, HeaderAuthentication>("test", null);
                Microsoft.Extensions.DependencyInjection.PolicyServiceCollectionExtensions.AddAuthorization(s);
            },
            map: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapChannels().RequireAuthorization();
            });

    public static HandlerList Handlers()
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Connect, e =>
        {
            if (e.Socket.Auth.TryGetProperty("token", out var token) && token.GetString() == "bad")
            {
                throw new ChannelRejectedException("bad token");
            }

            return ValueTask.FromResult(HandlerResult.Continue);
        });
        handlers.Add(ChannelEventKind.Event, e => ValueTask.FromResult(HandlerResult.Ack(e.Socket.Auth)), eventName: "whoami");
        handlers.Add(ChannelEventKind.Event, e => ValueTask.FromResult(HandlerResult.Ack(e.Payload)), eventName: "echo");
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            var reply = await e.Socket.EmitWithAckAsync("question", ["what is 6x7?"], e.CancellationToken);
            return HandlerResult.Ack(reply);
        }, eventName: "ask-me");
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            await e.Socket.EmitAsync("binary", new byte[] { 1, 2, 3 }, "text");
            return HandlerResult.Continue;
        }, eventName: "send-binary");
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Subscribe, _ => ValueTask.FromResult(HandlerResult.Reject("private channels need an invitation")), pattern: "^private-");
        handlers.Add(ChannelEventKind.Message, async e =>
        {
            await e.Socket.BroadcastChannelAsync(e.Payload.GetElement(0));
            return HandlerResult.Continue;
        }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Message, async e =>
        {
            if (e.Channel is null)
            {
                await e.Socket.SendAsync(e.Payload.GetElement(0));
            }

            return HandlerResult.Continue;
        });
        handlers.Add(ChannelEventKind.Connect, async e =>
        {
            await e.Socket.EmitAsync("welcome", e.Socket.Namespace);
            return HandlerResult.Continue;
        }, @namespace: "/admin");
        return handlers;
    }

    /// <summary>Maps the endpoint and a plain HTTP endpoint that publishes through <see cref="IChannelPublisher"/>.</summary>
    public static void Map(WebApplication app)
    {
        app.MapChannels();
        app.MapPost("/notify/{channel}", async (string channel, HttpRequest request, IChannelPublisher publisher) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            await publisher.BroadcastChannelAsync(body.RootElement.Clone(), channel);
            return Results.Ok();
        });
    }
}
