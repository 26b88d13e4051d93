using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Channels.Tests;

namespace Channels.Testing.Tests;

/// <summary>
/// <c>dotnet new channels</c> as a user meets it: the SDK packages and the template packed to a local folder,
/// the template installed from it (into a private template store), instantiated in a temporary folder, then
/// the generated README's commands: <c>dotnet test</c>, and <c>dotnet publish</c> with NativeAOT (no warning),
/// whose binary serves the page and answers a real client. The <c>--redis</c> variant builds and passes its tests.
/// </summary>
public sealed partial class TemplateTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("channels-template-").FullName;
    private readonly string _version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    private string Feed => Path.Combine(_root, "feed");

    private string Hive => Path.Combine(_root, "hive");

    [Fact]
    public async Task A_new_app_passes_its_tests_and_publishes_natively_and_the_redis_variant_passes_its_tests()
    {
        foreach (var project in new[] { "src/Runtime/Channels.SDK.csproj", "src/Testing/Channels.SDK.Testing.csproj", "src/Redis/Channels.SDK.Redis.csproj", "templates/Channels.SDK.Templates.csproj" })
        {
            await RunAsync("dotnet", $"pack \"{Repo.Path(project)}\" -c Release -nologo -o \"{Feed}\" -p:Version={_version}", Repo.Root);
        }

        await RunAsync("dotnet", $"new install \"{Path.Combine(Feed, $"Channels.SDK.Templates.{_version}.nupkg")}\" --debug:custom-hive \"{Hive}\"", _root);
        await RunAsync("dotnet", $"new channels -o MyApp --SdkVersion {_version} --debug:custom-hive \"{Hive}\"", _root);
        await RunAsync("dotnet", $"new channels -o RedisApp --redis --SdkVersion {_version} --debug:custom-hive \"{Hive}\"", _root);
        var app = Path.Combine(_root, "MyApp");
        var readme = await File.ReadAllTextAsync(Path.Combine(app, "README.md"));

        var tested = await RunAsync("dotnet", $"test -nologo {Feeds}", app);
        var published = await RunAsync("dotnet", $"publish MyApp -c Release -r linux-x64 -o publish -nologo {Feeds}", app);
        var redisTested = await RunAsync("dotnet", $"test -nologo {Feeds}", Path.Combine(_root, "RedisApp"));
        var (page, pong) = await RunNativeAsync(Path.Combine(app, "publish", "MyApp"));

        Assert.Contains("dotnet run --project MyApp", readme, StringComparison.Ordinal);
        Assert.Contains("dotnet test", readme, StringComparison.Ordinal);
        Assert.Matches(@"Passed!  - Failed:     0, Passed:     3", tested);
        Assert.DoesNotMatch(@"warning [A-Z]+\d{4}", published);
        Assert.Matches(@"Passed!  - Failed:     0, Passed:     3", redisTested);
        Assert.Contains("/socket.io/channels.js", page, StringComparison.Ordinal);
        Assert.Equal("pong", pong);
        Assert.Contains("Channels.SDK.Redis", await File.ReadAllTextAsync(Path.Combine(_root, "RedisApp", "RedisApp", "RedisApp.csproj")), StringComparison.Ordinal);
        Assert.DoesNotContain("Redis", await File.ReadAllTextAsync(Path.Combine(app, "MyApp", "MyApp.csproj")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_template_references_the_versions_this_repository_builds_and_tests_with()
    {
        var content = Repo.Path("templates", "content", "channels");
        using var template = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(content, ".template.config", "template.json")));
        var sdkVersion = template.RootElement.GetProperty("symbols").GetProperty("SdkVersion").GetProperty("defaultValue").GetString();
        var pinned = XDocument.Load(Repo.Path("Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);
        var used = XDocument.Load(Path.Combine(content, "ChannelsApp.Tests", "ChannelsApp.Tests.csproj")).Descendants("PackageReference")
            .Where(e => !((string)e.Attribute("Include")!).StartsWith("Channels.", StringComparison.Ordinal))
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);

        Assert.Equal((string)XDocument.Load(Repo.Path("Directory.Build.props")).Descendants("Version").Single(), sdkVersion);
        Assert.All(used, package => Assert.Equal(pinned[package.Key], package.Value));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A process of a failed run may still hold a file; the temporary folder is left behind.
        }

        // The packages of this run's unique version, restored into the global packages folder.
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "channels.sdk", "channels.sdk.testing", "channels.sdk.redis" })
        {
            var folder = Path.Combine(packages, id, _version);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>The local folder as a package source beside the usual ones (no nuget.config is written).</summary>
    private string Feeds => $"-p:RestoreAdditionalProjectSources=\"{Feed}\"";

    /// <summary>Starts the native binary on a free port, reads the page, and asks it <c>ping</c> over a real connection.</summary>
    private static async Task<(string Page, string? Pong)> RunNativeAsync(string binary)
    {
        var info = new ProcessStartInfo(binary, "--urls http://127.0.0.1:0")
        {
            WorkingDirectory = Path.GetDirectoryName(binary)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Uri? address = null;
            while (address is null && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (ListeningOn().Match(line) is { Success: true } match)
                {
                    address = new Uri(match.Groups[1].Value + "/");
                }
            }

            Assert.NotNull(address);
            using var http = new HttpClient { BaseAddress = address };
            var page = await http.GetStringAsync("/", timeout.Token);
            await using var client = await ChannelsTestClient.ConnectOverNetworkAsync(address, cancellationToken: timeout.Token);
            return (page, (await client.EmitWithAckAsync("ping")).GetString());
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    private static async Task<string> RunAsync(string file, string arguments, string folder)
    {
        var (exitCode, output) = await DotnetCommand.RunAsync(file, arguments, folder);
        Assert.True(exitCode == 0, $"{file} {arguments} exited with {exitCode}:\n{output}");
        return output;
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
