using System.Net;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;

namespace Mesh.Cli.Commands.Authz;

/// <summary>The source of the connection to check: an identity (null = plaintext) and an address.</summary>
internal sealed record CheckSource(SpiffeId? Identity, IPAddress Ip, string Label, string? Note);

/// <summary>One destination workload and the address/port its ztunnel would see (service ports already mapped).</summary>
internal sealed record CheckTarget(Workload Workload, IPAddress Ip, int Port, string Via);
