using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Channels.Tests;
using Channels.Tests.Integration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Channels.Handlers.Tests;

/// <summary>
/// The chat demo published with NativeAOT (as <c>scripts/test.sh</c> does before the tests; published
/// here if missing), started as a native process and driven by socket.io-client and a real browser.
/// </summary>
public sealed class ChatSampleTests(NativeChat chat, ITestOutputHelper output) : IClassFixture<NativeChat>
{
    [Fact]
    public async Task The_native_chat_relays_room_messages_and_system_messages_to_real_clients()
    {
        output.WriteLine($"binary {chat.BinarySize / 1024.0 / 1024.0:F1} MB, start to first accepted connection {chat.StartToFirstConnection.TotalMilliseconds:F0} ms");
        await using var node = NodeClients.Start();
        var ws = new { transports = new[] { "websocket" } };
        await node.ConnectedAsync("ada", chat.Address, options: new { transports = new[] { "websocket" }, auth = new { name = "ada" } });
        await node.ConnectedAsync("bob", chat.Address, options: new { auth = new { name = "bob" } });
        await node.ConnectedAsync("eve", chat.Address, options: new { transports = new[] { "websocket" }, auth = new { name = "ada" } });

        Assert.True((await node.EmitWithAckAsync("ada", "subscribe", "room-native"))!["ok"]!.GetValue<bool>());
        Assert.True((await node.EmitWithAckAsync("bob", "subscribe", "room-native"))!["ok"]!.GetValue<bool>());
        var refused = await node.EmitWithAckAsync("eve", "subscribe", "room-native");
        var joined = await node.WaitAsync("ada", "event", "message");
        var here = await node.EmitWithAckAsync("ada", "presence", "room-native");
        await node.EmitWithAckAsync("bob", "publish", "room-native", "hello <b>ada</b>");
        var said = await node.WaitAsync(e => e["client"]?.GetValue<string>() == "ada" && e["event"]?.GetValue<string>() == "message" && e["args"]?[0]?["kind"]?.GetValue<string>() == "message", "ada receives bob's line");

        using var http = new HttpClient { BaseAddress = chat.Address };
        var forbidden = await http.PostAsync("system", new StringContent("""{"room":"native","text":"x"}""", Encoding.UTF8, "application/json"));
        using var staff = new HttpRequestMessage(HttpMethod.Post, "system") { Content = new StringContent("""{"room":"native","text":"maintenance at noon"}""", Encoding.UTF8, "application/json") };
        staff.Headers.Add("X-Staff-Key", "staff");
        var accepted = await http.SendAsync(staff);
        var system = await node.WaitAsync(e => e["client"]?.GetValue<string>() == "bob" && e["event"]?.GetValue<string>() == "message" && e["args"]?[0]?["kind"]?.GetValue<string>() == "system", "bob receives the system message");
        var rooms = JsonNode.Parse(await http.GetStringAsync("rooms"))!;

        Assert.False(refused!["ok"]!.GetValue<bool>());
        Assert.Contains("in use", refused["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("bob", joined["args"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(["ada", "bob"], here!["state"]!.AsObject().Select(m => m.Value!["name"]!.GetValue<string>()).Order());
        Assert.Equal("hello <b>ada</b>", said["args"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("bob", said["args"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("maintenance at noon", system["args"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(["ada", "bob"], rooms["native"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task The_native_chat_with_the_console_exporter_traces_a_subscribe_with_the_handlers_pattern()
    {
        var lines = new List<string>();
        var traced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (started, address) = await NativeChat.StartAsync(chat.Binary, "--OpenTelemetry:Exporter=console", line =>
        {
            lock (lines)
            {
                lines.Add(line);
            }

            if (line.Contains("channels.handler.pattern: ^room-", StringComparison.Ordinal))
            {
                traced.TrySetResult();
            }
        });
        using var process = started;
        try
        {
            using var http = new HttpClient { BaseAddress = address };
            var open = await http.GetStringAsync("socket.io/?EIO=4&transport=polling");
            var sid = JsonNode.Parse(open[1..])!["sid"]!.GetValue<string>();
            var url = $"socket.io/?EIO=4&transport=polling&sid={sid}";
            (await http.PostAsync(url, new StringContent("40{\"name\":\"otel\"}"))).EnsureSuccessStatusCode();
            Assert.StartsWith("40", await http.GetStringAsync(url), StringComparison.Ordinal);
            (await http.PostAsync(url, new StringContent("421[\"subscribe\",\"room-otel\"]"))).EnsureSuccessStatusCode();
            var polled = "";
            for (var i = 0; i < 5 && !polled.Contains("431[{\"ok\":true}]", StringComparison.Ordinal); i++)
            {
                polled += await http.GetStringAsync(url);
            }

            Assert.Contains("431[{\"ok\":true}]", polled, StringComparison.Ordinal);

            await traced.Task.WaitAsync(TimeSpan.FromSeconds(30));
            string[] printed;
            lock (lines)
            {
                printed = [.. lines];
            }

            Assert.Contains(printed, l => l.Contains("channels.event.kind: subscribe", StringComparison.Ordinal));
            Assert.DoesNotContain(printed, l => l.TrimStart().StartsWith("channels.", StringComparison.Ordinal) && l.Contains("room-otel", StringComparison.Ordinal));
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Two_browser_pages_chat_and_see_each_other_join_and_leave()
    {
        var screenshot = Repo.Path("artifacts", "chat-browser.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        var (exitCode, log) = await NodeScript.RunAsync($"browser-chat.mjs {chat.Address.ToString().TrimEnd('/')} \"{screenshot}\"", TimeSpan.FromMinutes(2));
        output.WriteLine(log);

        Assert.True(exitCode == 0, log);
        Assert.True(File.Exists(screenshot));
    }

    /// <summary>
    /// The stock Socket.IO Admin UI (<c>@socket.io/admin-ui</c> 0.5.1's <c>ui/dist</c>, served by the test on
    /// another loopback origin) watching the chat demo (Admin UI on by configuration): Chromium logs in, sees the
    /// demo page's socket and room, disconnects the socket, and the page shows it.
    /// </summary>
    [Fact]
    public async Task The_stock_Admin_UI_watches_the_chat_demo_and_disconnects_its_page()
    {
        var dist = Repo.Path("tests", "Runtime.Tests", "node", "node_modules", "@socket.io", "admin-ui", "ui", "dist");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var ui = builder.Build();
        var files = new PhysicalFileProvider(dist);
        ui.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = "/admin-ui" });
        ui.UseStaticFiles(new StaticFileOptions { FileProvider = files, RequestPath = "/admin-ui" });
        await ui.StartAsync();
        var uiOrigin = ui.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');

        var (process, address) = await NativeChat.StartAsync(chat.Binary, $"--AdminUI:Password=changeit --Chat:AllowedOrigins:0={uiOrigin}");
        try
        {
            var screenshot = Repo.Path("artifacts", "admin-ui-chat.png");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            var server = address.ToString().TrimEnd('/');
            var (exitCode, log) = await NodeScript.RunAsync($"browser-admin.mjs {uiOrigin}/admin-ui/ {server} {server}/room/lobby \"{screenshot}\" demo", TimeSpan.FromMinutes(2));
            output.WriteLine(log);

            Assert.True(exitCode == 0, log);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}

/// <summary>The NativeAOT chat binary, started once for the tests on a free loopback port.</summary>
public sealed class NativeChat : IAsyncLifetime
{
    private Process? _process;

    public Uri Address { get; private set; } = null!;

    public long BinarySize { get; private set; }

    /// <summary>The published binary, for a test that starts one of its own with other settings.</summary>
    public string Binary { get; private set; } = null!;

    public TimeSpan StartToFirstConnection { get; private set; }

    public async Task InitializeAsync()
    {
        var folder = Repo.Path("artifacts", "chat-aot");
        var binary = Path.Combine(folder, "Channels.Samples.Chat");
        if (!File.Exists(binary) || File.GetLastWriteTimeUtc(binary) < NewestSource())
        {
            await RunAsync("dotnet", $"publish \"{Repo.Path("samples", "Chat", "Chat.csproj")}\" -r linux-x64 -c Release -nologo -o \"{folder}\"");
        }

        Binary = binary;
        BinarySize = new FileInfo(binary).Length;
        var started = Stopwatch.StartNew();

        (_process, Address) = await StartAsync(binary, "");
        using var http = new HttpClient();
        var handshake = await http.GetStringAsync(new Uri(Address, "socket.io/?EIO=4&transport=polling"));
        StartToFirstConnection = started.Elapsed;
        Assert.StartsWith("0{", handshake, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    /// <summary>
    /// Starts the binary with <paramref name="arguments"/> on a free loopback port (port 0: the server binds one
    /// itself and logs it, so no other process can take it between) and returns it once it listens. Each line
    /// it prints goes to <paramref name="onLine"/>.
    /// </summary>
    public static async Task<(Process Process, Uri Address)> StartAsync(string binary, string arguments, Action<string>? onLine = null)
    {
        var process = Process.Start(new ProcessStartInfo(binary, ("--urls http://127.0.0.1:0 " + arguments).Trim())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(binary)!,
        })!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            const string Prefix = "Now listening on: ";
            if (e.Data?.IndexOf(Prefix, StringComparison.Ordinal) is int at and >= 0)
            {
                listening.TrySetResult(new Uri(e.Data[(at + Prefix.Length)..].Trim().TrimEnd('/') + "/"));
            }

            onLine?.Invoke(e.Data ?? "");
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return (process, await listening.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>When the sources the binary is built from last changed (a stale binary is published again).</summary>
    private static DateTime NewestSource() =>
        new[] { Repo.Path("samples", "Chat"), Repo.Path("src") }
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Max(File.GetLastWriteTimeUtc);

    private static async Task RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await output + await error);
    }
}
