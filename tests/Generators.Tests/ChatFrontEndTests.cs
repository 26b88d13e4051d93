using Channels.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Channels.Generators.Tests;

/// <summary>
/// The chat sample's front end (the module script of samples/Chat/room.html, checked JavaScript with JSDoc types)
/// type-checks with <c>tsc</c> against the sample's contract, samples/Chat/channels-contract.ts, which its build
/// writes and which must be what the generator makes of its handlers now.
/// </summary>
public sealed class ChatFrontEndTests
{
    private static string Contract => File.ReadAllText(Repo.Path("samples", "Chat", "channels-contract.ts")).Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string RoomScript => TypeScriptCheck.ModuleScript(File.ReadAllText(Repo.Path("samples", "Chat", "room.html")));

    [Fact]
    public void The_committed_contract_is_what_the_generator_makes_of_the_handlers()
    {
        // Every C# file of the sample (with the Web SDK's implicit usings); what the test cannot resolve (packages
        // the sample references, the JSON source generator's output) does not concern the handlers.
        var sources = Directory.GetFiles(Repo.Path("samples", "Chat"), "*.cs")
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), GeneratorHarness.ParseOptions, path: Path.GetFileName(path)));
        var usings = CSharpSyntaxTree.ParseText(
            "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks; "
            + "global using Microsoft.AspNetCore.Builder; global using Microsoft.AspNetCore.Hosting; global using Microsoft.AspNetCore.Http; global using Microsoft.AspNetCore.Routing; "
            + "global using Microsoft.Extensions.Configuration; global using Microsoft.Extensions.DependencyInjection; global using Microsoft.Extensions.Hosting; global using Microsoft.Extensions.Logging;",
            GeneratorHarness.ParseOptions);
        var compilation = GeneratorHarness.Compile("", "Channels.Samples.Chat").AddSyntaxTrees(sources).AddSyntaxTrees(usings);

        var generated = ContractTests.Generate(compilation, requireClean: false).Contract;

        Assert.Equal(generated, Contract);
    }

    [Fact]
    public async Task The_room_page_type_checks_against_the_contract()
    {
        Assert.StartsWith("\n// @ts-check", RoomScript, StringComparison.Ordinal);

        var (exitCode, errors, output) = await TypeScriptCheck.RunAsync(new Dictionary<string, string>
        {
            ["room.js"] = RoomScript,
            ["channels-contract.ts"] = Contract,
        });

        Assert.True(exitCode == 0 && errors.Count == 0, output);
    }

    [Fact]
    public async Task A_mistake_in_the_room_page_fails_the_check()
    {
        var wrong = RoomScript.Replace("client.publish(channel, ", "client.publish(\"lobby\", ", StringComparison.Ordinal);
        Assert.NotEqual(RoomScript, wrong);

        var (_, errors, output) = await TypeScriptCheck.RunAsync(new Dictionary<string, string>
        {
            ["room.js"] = wrong,
            ["channels-contract.ts"] = Contract,
        });

        Assert.True(errors.Count == 1 && errors[0].Code == "TS2345" && errors[0].Message.Contains("\"lobby\"", StringComparison.Ordinal), output);
    }
}
