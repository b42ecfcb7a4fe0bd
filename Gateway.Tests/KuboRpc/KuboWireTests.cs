using System.Net;
using System.Text;
using CompositeGateway.Clusters;
using CompositeGateway.Composition;
using CompositeGateway.Ipld;
using CompositeGateway.KuboRpc.Commands;

namespace CompositeGateway.Tests.KuboRpc;

/// <summary>Exact Kubo answers of every command, the error texts and statuses, and hostile input, over real HTTP.</summary>
public sealed class KuboWireTests
{
    private static readonly string Peer = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";

    [Test]
    public async Task Id_Answer_KuboShape()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Swarm.Addresses = ["/ip4/10.0.0.7/tcp/4001"];

        var (status, body) = await PostAsync(host, "id");

        var identity = KuboRpcTestHost.Identity;
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body, Is.EqualTo($$"""{"ID":"{{identity.PeerId}}","PublicKey":"{{identity.PublicKey}}","Addresses":["/ip4/10.0.0.7/tcp/4001"],"AgentVersion":"{{IdCommand.AgentVersion}}","Protocols":[]}"""));
        Assert.That(IdCommand.AgentVersion, Does.Match(@"^composite-gateway/\d+\.\d+\.\d+"));
    }

    [Test]
    public async Task Id_OtherPeer_RoutingNotFound()
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var (status, body) = await PostAsync(host, "id?arg=" + Peer);

        Assert.That(status, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Is.EqualTo(Error("routing: not found", 0)));
    }

    [Test]
    public async Task Version_Answer_KuboFields()
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var (status, body) = await PostAsync(host, "version");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body, Does.Match("""^\{"Version":"\d+\.\d+\.\d+[^"]*","Commit":"","Repo":"0","System":"[a-z0-9]+/[a-z]+","Golang":"[^"]+"\}$"""));
    }

    [Test]
    public async Task PinLs_ArgStream_OneValuePerLine()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V1("a").ToString();
        host.Pins.Add(cid, PinMode.Recursive);

        var (status, body) = await PostAsync(host, $"pin/ls?stream=true&arg={cid}&type=recursive");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body, Is.EqualTo($$"""{"Cid":"{{cid}}","Type":"recursive"}""" + "\n"));
    }

    [Test]
    public async Task PinLs_ArgNotStreamed_KeysObject()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V0("a").ToString();
        host.Pins.Add(cid, PinMode.Direct);

        var (_, body) = await PostAsync(host, $"pin/ls?arg={cid}");

        Assert.That(body, Is.EqualTo($$$$"""{"Keys":{"{{{{cid}}}}":{"Type":"direct","Name":""}}}""" + "\n"));
    }

    [Test]
    public async Task PinLs_NotPinned_KuboTextWithArgumentAsSent()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V1("a");
        var base36 = cid.ToString(Multibase.Base36);

        var (status, body) = await PostAsync(host, $"pin/ls?stream=true&arg={base36}&type=recursive");

        Assert.That(status, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Is.EqualTo(Error($"path '{base36}' is not pinned", 0)));
        Assert.That(host.Pins.Queried.Single(), Is.EqualTo(cid.ToString()), "the composition gets the canonical CID");
    }

    [TestCase("indirect")]
    [TestCase("direct")]
    public async Task PinLs_RecursivePinAskedOtherType_NotPinned(string type)
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V1("r").ToString();
        host.Pins.Add(cid, PinMode.Recursive);

        var (status, body) = await PostAsync(host, $"pin/ls?stream=true&arg={cid}&type={type}");

        Assert.That(status, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Is.EqualTo(Error($"path '{cid}' is not pinned", 0)));
    }

    [Test]
    public async Task PinLs_CanonicalForms_SameCidOutInCanonicalText()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var v1 = TestCids.V1DagPb("c");
        var v0 = TestCids.V0("c");
        host.Pins.Add(v1.ToString(), PinMode.Recursive);
        host.Pins.Add(v0.ToString(), PinMode.Recursive);

        var (_, fromBase36) = await PostAsync(host, $"pin/ls?stream=true&arg={v1.ToString(Multibase.Base36)}");
        var (_, fromUpper) = await PostAsync(host, $"pin/ls?stream=true&arg={v1.ToString(Multibase.Base32Upper)}");
        var (_, fromPath) = await PostAsync(host, $"pin/ls?stream=true&arg=/ipfs/{v0}");

        Assert.That(fromBase36, Is.EqualTo($$"""{"Cid":"{{v1}}","Type":"recursive"}""" + "\n"));
        Assert.That(fromUpper, Is.EqualTo(fromBase36));
        Assert.That(fromPath, Is.EqualTo($$"""{"Cid":"{{v0}}","Type":"recursive"}""" + "\n"), "v0 stays v0");
    }

    [Test]
    public async Task PinLs_ListingWithTypes_FilteredAndNamed()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var recursive = TestCids.V1("r").ToString();
        var direct = TestCids.V1("d").ToString();
        host.Pins.Add(recursive, PinMode.Recursive, "backup");
        host.Pins.Add(direct, PinMode.Direct);

        var (_, directOnly) = await PostAsync(host, "pin/ls?stream=true&type=direct");
        var (_, indirect) = await PostAsync(host, "pin/ls?stream=true&type=indirect");
        var (_, named) = await PostAsync(host, "pin/ls?stream=true&names=true&type=recursive");
        var (_, all) = await PostAsync(host, "pin/ls");

        Assert.That(directOnly, Is.EqualTo($$"""{"Cid":"{{direct}}","Type":"direct"}""" + "\n"));
        Assert.That(indirect, Is.Empty);
        Assert.That(named, Is.EqualTo($$"""{"Cid":"{{recursive}}","Name":"backup","Type":"recursive"}""" + "\n"));
        Assert.That(all, Does.StartWith("""{"Keys":{""").And.Contain("\"" + direct + "\":{\"Type\":\"direct\",\"Name\":\"\"}").And.Contain("\"" + recursive + "\":{\"Type\":\"recursive\",\"Name\":\"\"}"));
    }

    [Test]
    public async Task PinLs_LargeNonStreamedListing_OneValidObject()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        for (var i = 0; i < 2000; i++)
        {
            host.Pins.Add(TestCids.V1("many" + i).ToString(), PinMode.Recursive);
        }

        var (_, body) = await PostAsync(host, "pin/ls?type=recursive");

        using var document = System.Text.Json.JsonDocument.Parse(body);
        Assert.That(document.RootElement.GetProperty("Keys").EnumerateObject().Count(), Is.EqualTo(2000));
    }

    [Test]
    public async Task PinLs_BadType_KuboError()
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var (status, body) = await PostAsync(host, "pin/ls?type=sideways");

        Assert.That(status, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Is.EqualTo(Error("invalid type 'sideways', must be one of {direct, indirect, recursive, all}", 0)));
    }

    [Test]
    public async Task PinAdd_WithoutProgress_HoldsThenPins()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var a = TestCids.V1("a").ToString();
        var b = TestCids.V0("b").ToString();

        var (status, body) = await PostAsync(host, $"pin/add?arg={a}&arg=/ipfs/{b}");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body, Is.EqualTo($$"""{"Pins":["{{a}}","{{b}}"]}"""));
    }

    [Test]
    public async Task PinAdd_WithoutProgressFailing_KuboErrorNotTwoHundred()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Pins.HoldPins = true;
        var cid = TestCids.V1("f").ToString();

        var answer = PostAsync(host, $"pin/add?arg={cid}");
        while (host.Pins.HeldCount == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }

        host.Pins.CompleteHeld(new GatewayFailure("pin_error: context deadline exceeded", Transient: false));
        var (status, body) = await answer;

        Assert.That(status, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Is.EqualTo(Error("pin_error: context deadline exceeded", 0)));
    }

    [TestCase("recursive=false", true)]
    [TestCase("recursive=F", true)]
    [TestCase("recursive=0", true)]
    [TestCase("r=False", true)]
    [TestCase("recursive=TRUE", false)]
    [TestCase("recursive=t", false)]
    [TestCase("recursive", false)]
    [TestCase("", false)]
    public async Task PinAdd_BoolForms_ParsedLikeGoIpfsCmds(string option, bool direct)
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var (status, _) = await PostAsync(host, $"pin/add?arg={TestCids.V1("x")}&{option}");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(host.Pins.Started.Single().Mode, Is.EqualTo(direct ? PinMode.Direct : PinMode.Recursive));
    }

    [TestCase("progress=maybe", "could not convert value \"maybe\" to type \"bool\" (for option \"-progress\")")]
    [TestCase("recursive=yes", "could not convert value \"yes\" to type \"bool\" (for option \"-recursive\")")]
    [TestCase("progress=true&progress=false", "expected key progress to have only a single value, received [true false]")]
    [TestCase("recursive=true&r=true", "duplicate command options were provided (\"recursive\" and \"r\")")]
    public async Task PinAdd_BadOption_ClientError(string option, string message)
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var (status, body) = await PostAsync(host, $"pin/add?arg={TestCids.V1("x")}&{option}");

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body, Is.EqualTo(Error(message, 1)));
        Assert.That(host.Pins.Started, Is.Empty);
    }

    [TestCase("pin/add", "ipfs-path")]
    [TestCase("pin/rm", "ipfs-path")]
    [TestCase("pin/update?arg=QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u", "to-path")]
    [TestCase("resolve", "name")]
    [TestCase("swarm/connect", "address")]
    public async Task Command_MissingArgument_ClientErrorNamingIt(string path, string argument)
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var (status, body) = await PostAsync(host, path);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body, Is.EqualTo(Error($"argument \"{argument}\" is required", 1)));
    }

    [TestCase("garbage", "invalid path \"garbage\": path does not have enough components")]
    [TestCase("/ipfs/foo", "invalid path \"/ipfs/foo\": invalid cid: ")]
    [TestCase("/ipfs/", "invalid path \"/ipfs/\": path does not have enough components")]
    [TestCase("/dns/example.com", "invalid path \"/dns/example.com\": unknown namespace")]
    [TestCase("QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs80", "invalid path \"QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs80\": path does not have enough components")]
    [TestCase("/ipns/example.com", "the gateway does not resolve /ipns names: \"/ipns/example.com\"")]
    [TestCase("/ipfs/QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u/a/b", "the gateway does not resolve sub-paths; use the CID itself instead of \"/ipfs/QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u/a/b\"")]
    public async Task PinCommands_GarbageArgument_KuboErrorAndAlive(string argument, string messageStart)
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var escaped = Uri.EscapeDataString(argument);

        foreach (var command in new[] { "pin/add", "pin/rm", "pin/ls" })
        {
            var (status, body) = await PostAsync(host, $"{command}?arg={escaped}");
            Assert.That(status, Is.EqualTo(HttpStatusCode.InternalServerError), command);
            using var error = System.Text.Json.JsonDocument.Parse(body);
            Assert.That(error.RootElement.GetProperty("Message").GetString(), Does.StartWith(messageStart), command);
            Assert.That(error.RootElement.GetProperty("Code").GetInt32(), Is.Zero, command);
        }

        Assert.That(host.Pins.Started, Is.Empty);
        Assert.That((await PostAsync(host, "id")).Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task PinAdd_LongArgumentWithinRequestLine_KuboErrorWithShortenedEcho()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var argument = new string('z', 7000);

        var (status, body) = await PostAsync(host, "pin/add?arg=" + argument);

        Assert.That(status, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Does.StartWith("""{"Message":"invalid path \"zzz""").And.Length.LessThan(400));
    }

    [Test]
    public async Task PinAdd_MegabyteQuery_RejectedByKestrelAndServerAlive()
    {
        // Kestrel refuses request lines over 8 KB (MaxRequestLineSize) with 414 before any middleware runs, so
        // this answer cannot be Kubo JSON; the Go peer reports it as "IPFS request failed … Code 414".
        await using var host = await KuboRpcTestHost.StartAsync();

        var outcome = await host.Go.PinAsync(new string('z', 1 << 20));

        Assert.That(outcome.Error!.StatusCode, Is.EqualTo(414));
        Assert.That(outcome.Error.Text, Does.StartWith("IPFS request failed (is it running?)"));
        Assert.That((await host.Go.IdAsync()).Ok, Is.True);
    }

    [Test]
    public async Task SlashArgument_PinCommands_SegmentIsTheArgument()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V1("slash").ToString();

        var (addStatus, added) = await PostAsync(host, "pin/add/" + cid);
        var (_, listed) = await PostAsync(host, $"pin/ls/{cid}?stream=true");
        var (_, removed) = await PostAsync(host, "pin/rm/" + cid);
        var (nestedStatus, _) = await PostAsync(host, "pin/add/ipfs/" + cid);

        Assert.That(addStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(added, Is.EqualTo($$"""{"Pins":["{{cid}}"]}"""));
        Assert.That(listed, Is.EqualTo($$"""{"Cid":"{{cid}}","Type":"recursive"}""" + "\n"));
        Assert.That(removed, Is.EqualTo($$"""{"Pins":["{{cid}}"]}"""));
        Assert.That(nestedStatus, Is.EqualTo(HttpStatusCode.NotFound), "one segment only, as Kubo and ipfsproxy");
    }

    [Test]
    public async Task PinRm_SeveralArguments_StopsAtFirstNotOwned()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var first = TestCids.V1("1").ToString();
        var missing = TestCids.V1("2").ToString();
        var third = TestCids.V1("3").ToString();
        host.Pins.Add(first, PinMode.Recursive);
        host.Pins.Add(third, PinMode.Recursive);

        var (status, body) = await PostAsync(host, $"pin/rm?arg={first}&arg={missing}&arg={third}");

        Assert.That(status, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Is.EqualTo(Error("not pinned or pinned indirectly", 0)));
        Assert.That(host.Pins.Pins.Select(p => p.Cid), Is.EqualTo(new[] { third }));
    }

    [Test]
    public async Task PinUpdate_DefaultUnpin_True()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var from = TestCids.V0("from").ToString();
        var to = TestCids.V1("to").ToString();

        var (status, body) = await PostAsync(host, $"pin/update?arg={from}&arg={to}");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body, Is.EqualTo($$"""{"Pins":["{{from}}","{{to}}"]}"""));
        Assert.That(host.Pins.Updates.Single(), Is.EqualTo((from, to, true)));
    }

    [TestCase("repo/stat?size-only=true")]
    [TestCase("repo/stat")]
    public async Task RepoStat_BothForms_AllFiveFieldsAsIntegers(string path)
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Space.Result = SpaceReportResult.Reported(52_428_800, ulong.MaxValue);

        var (_, body) = await PostAsync(host, path);

        Assert.That(body, Is.EqualTo("""{"RepoSize":52428800,"StorageMax":9223372036854775807,"NumObjects":0,"RepoPath":"","Version":""}"""));
    }

    [Test]
    public async Task OptionalSeams_Missing_ClearErrors()
    {
        await using var host = await KuboRpcTestHost.StartAsync(withOptionalSeams: false);

        var (statStatus, stat) = await PostAsync(host, "repo/stat?size-only=true");
        var (_, gc) = await PostAsync(host, "repo/gc?stream-errors=true");
        var (idStatus, _) = await PostAsync(host, "id");

        Assert.That(statStatus, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(stat, Is.EqualTo(Error("repo/stat is not available: no space reporter is configured", 0)));
        Assert.That(gc, Is.EqualTo(Error("repo/gc is not available: no garbage collector is configured", 0)));
        Assert.That(idStatus, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task RepoGc_StreamErrors_GoCidJsonLines()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V1("gone").ToString();
        host.Gc.Items = [GarbageCollectedItem.Removed(cid), GarbageCollectedItem.Failed("eu-1: busy")];

        var (_, body) = await PostAsync(host, "repo/gc?stream-errors=true");

        Assert.That(body, Is.EqualTo($$$"""{"Key":{"/":"{{{cid}}}"}}""" + "\n" + """{"Key":null,"Error":"eu-1: busy"}""" + "\n"));
    }

    [Test]
    public async Task RepoGc_ErrorsNotStreamed_GatheredIntoKuboError()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        host.Gc.Items = [GarbageCollectedItem.Failed("eu-1: busy"), GarbageCollectedItem.Failed("us-2: busy")];

        var (status, body) = await PostAsync(host, "repo/gc");

        Assert.That(status, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body, Is.EqualTo(Error("encountered errors during gc run: eu-1: busy; us-2: busy", 0)));
    }

    [Test]
    public async Task Swarm_PeersAndConnect_NoOpAnswers()
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var (_, peers) = await PostAsync(host, "swarm/peers");
        var (_, connect) = await PostAsync(host, "swarm/connect?arg=" + Uri.EscapeDataString($"/ip4/192.0.2.1/tcp/4001/p2p/{Peer}"));
        var (badStatus, bad) = await PostAsync(host, "swarm/connect?arg=" + Uri.EscapeDataString("/ip4/192.0.2.1/tcp/4001"));

        Assert.That(peers, Is.EqualTo("""{"Peers":[]}"""));
        Assert.That(connect, Is.EqualTo($$"""{"Strings":["connect {{Peer}} success"]}"""));
        Assert.That(badStatus, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(bad, Is.EqualTo(Error("invalid peer address: invalid p2p multiaddr", 0)));
    }

    [Test]
    public async Task ConfigShow_StorageMax_HumanFormOfRepoStatValue()
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var (_, body) = await PostAsync(host, "config/show");

        Assert.That(body, Is.EqualTo($$$"""{"Identity":{"PeerID":"{{{KuboRpcTestHost.Identity.PeerId}}}"},"Datastore":{"StorageMax":"10GB"}}"""));
    }

    [Test]
    public async Task Resolve_ImmutablePath_ItselfCanonical()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V1DagPb("dir");

        var (_, body) = await PostAsync(host, "resolve?arg=" + Uri.EscapeDataString("/ipfs/" + cid.ToString(Multibase.Base36)));
        var (subStatus, sub) = await PostAsync(host, "resolve?arg=" + Uri.EscapeDataString($"/ipfs/{cid}/readme.md"));

        Assert.That(body, Is.EqualTo($$"""{"Path":"/ipfs/{{cid}}"}"""));
        Assert.That(subStatus, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(sub, Does.Contain("does not resolve sub-paths"));
    }

    [TestCase("GET")]
    [TestCase("PUT")]
    [TestCase("HEAD")]
    [TestCase("DELETE")]
    public async Task Method_NotPost_405WithKuboJson(string method)
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        using var client = host.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/api/v0/id"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "OPTIONS", "POST" }));
        if (method != "HEAD")
        {
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(Error("405 - Method Not Allowed", 1)));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        }
    }

    [Test]
    public async Task Method_Options_204AllowLikeKubo()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        using var client = host.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/api/v0/pin/add"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "OPTIONS", "POST" }));
    }

    [TestCase("nope", "nope")]
    [TestCase("pin", "pin")]
    [TestCase("dag/get", "dag/get")]
    [TestCase("", "")]
    public async Task UnknownCommand_404KuboJson(string path, string shown)
    {
        await using var host = await KuboRpcTestHost.StartAsync();

        var (status, body) = await PostAsync(host, path);

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body, Is.EqualTo(Error($"unknown command \"{shown}\"", 1)));
    }

    [Test]
    public async Task UnknownQueryParameters_Tolerated()
    {
        await using var host = await KuboRpcTestHost.StartAsync();
        var cid = TestCids.V1("t").ToString();
        host.Pins.Add(cid, PinMode.Recursive);

        var (status, _) = await PostAsync(host, $"pin/ls?paths={cid}&arg={cid}&stream=true&max-depth=3&timeout=1m&encoding=json");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
    }

    private static string Error(string message, int code) =>
        System.Text.Json.JsonSerializer.Serialize(
            new Dictionary<string, object> { ["Message"] = message, ["Code"] = code, ["Type"] = "error" },
            new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(KuboRpcTestHost host, string pathAndQuery)
    {
        using var response = await host.Go.SendAsync(pathAndQuery, CancellationToken.None);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK && body.Length > 0)
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), "errors are Kubo JSON");
        }

        return (response.StatusCode, Encoding.UTF8.GetString(body));
    }
}
