using Channels.Dispatch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Xunit.Abstractions;

namespace Channels.Tests.Integration;

/// <summary>
/// The stock Admin UI (<c>@socket.io/admin-ui</c> 0.5.1, its <c>ui/dist</c> served here on 127.0.0.1) in
/// Chromium against a chat-like app: it logs in, lists a chat page's socket and channel, and disconnects it
/// (node/browser-admin.mjs). The screenshot is docs/images/admin-ui.png.
/// </summary>
public sealed class AdminUIBrowserTests(ITestOutputHelper output)
{
    private const string ChatPage = """
        <!doctype html><meta charset="utf-8"><title>chat</title>
        <p id="status">connecting</p><p id="sid"></p>
        <script src="/socket.io.min.js"></script>
        <script>
          const socket = io();
          const status = document.getElementById("status");
          socket.on("connect", async () => {
            document.getElementById("sid").textContent = socket.id;
            const ack = await socket.emitWithAck("subscribe", "room-lobby");
            status.textContent = ack.ok ? "joined room-lobby" : "refused: " + ack.error;
          });
          socket.on("disconnect", (reason) => { status.textContent = "disconnected: " + reason; });
        </script>
        """;

    [Fact]
    public async Task The_stock_Admin_UI_logs_in_lists_sockets_and_rooms_and_disconnects_a_socket()
    {
        var node = Repo.Path("tests", "Runtime.Tests", "node", "node_modules");
        var dist = Path.Combine(node, "@socket.io", "admin-ui", "ui", "dist");
        var bundle = Path.Combine(node, "socket.io-client", "dist", "socket.io.min.js");
        await using var server = await TestServer.StartAsync(
            new HandlerList { { ChannelEventKind.Subscribe, static _ => { }, "^room-" } },
            services: s => s.AddChannels().AddAdminUI(o =>
            {
                o.Username = "admin";
                o.Password = "changeit";
            }),
            map: app =>
            {
                // The UI as its package ships it: index.html and relative assets, under any path that ends in '/'.
                var files = new PhysicalFileProvider(dist);
                app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = "/admin-ui" });
                app.UseStaticFiles(new StaticFileOptions { FileProvider = files, RequestPath = "/admin-ui" });
                app.MapGet("/chat", () => Results.Content(ChatPage, "text/html; charset=utf-8"));
                app.MapGet("/socket.io.min.js", () => Results.File(bundle, "text/javascript; charset=utf-8"));
                app.MapChannels();
            });
        var screenshot = Repo.Path("docs", "images", "admin-ui.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);

        var (exitCode, log) = await NodeScript.RunAsync($"browser-admin.mjs {server.Address}admin-ui/ {server.Address} {server.Address}chat {screenshot}", TimeSpan.FromMinutes(2));
        output.WriteLine(log);

        Assert.True(exitCode == 0, log);
    }
}
