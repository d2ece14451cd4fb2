namespace Mesh.Node.Identity;

/// <summary>Where an identity's SVID stands in the node's <see cref="CertificateStore"/>.</summary>
public enum CertificateState { Pending, Available, Failed }
