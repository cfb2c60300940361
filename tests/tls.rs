//! TLS to a tcp:// engine: a TLS front (rustls, client certificates required)
//! relays to the test engine's unix socket, with certificates made by the
//! `openssl` CLI. Checks `--tlsverify` with CA and client certificate, `--tls`
//! without verification, contexts with TLS material and SkipTLSVerify, and
//! failures in one clear line.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::{ok, run, test_host, TestEnv};
use sha2::{Digest, Sha256};

fn openssl_available() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok && std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
        panic!("CI=true but the openssl CLI is missing (tests/run.sh installs it)");
    }
    ok
}

/// CA, server (IP 127.0.0.1) and client certificates, all EC P-256.
fn make_certs(dir: &Path) {
    let script = r#"
set -e
cd "$1"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 $ec -keyout ca-key.pem -out ca.pem -days 2 -subj /CN=docker-ofelia-test-ca 2>/dev/null
openssl req -x509 $ec -keyout other-ca-key.pem -out other-ca.pem -days 2 -subj /CN=other-ca 2>/dev/null
openssl req $ec -keyout server-key.pem -out server.csr -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server.pem -days 2 -extfile server.ext 2>/dev/null
openssl req $ec -keyout key.pem -out client.csr -subj /CN=client 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out cert.pem -days 2 -extfile client.ext 2>/dev/null
"#;
    let st = Command::new("bash")
        .args(["-c", script, "bash"])
        .arg(dir)
        .status()
        .expect("bash");
    assert!(st.success(), "openssl failed");
}

fn pem_certs(p: &Path) -> Vec<rustls_pki_types::CertificateDer<'static>> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::pem_file_iter(p)
        .expect("pem")
        .collect::<Result<Vec<_>, _>>()
        .expect("certs")
}

/// Starts a TLS front on 127.0.0.1 that requires a client certificate signed
/// by ca.pem and relays each connection to the test engine's unix socket.
/// Returns its port; the relay lives until the test process exits.
fn tls_front(dir: &Path, engine_socket: PathBuf) -> u16 {
    use rustls_pki_types::pem::PemObject;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in pem_certs(&dir.join("ca.pem")) {
        roots.add(c).expect("root");
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .expect("verifier");
    let key =
        rustls_pki_types::PrivateKeyDer::from_pem_file(dir.join("server-key.pem")).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(pem_certs(&dir.join("server.pem")), key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let sock = engine_socket.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut engine) = tokio::net::UnixStream::connect(&sock).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut engine).await;
                });
            }
        });
    });
    port
}

struct Front {
    env: TestEnv,
    certs: PathBuf,
    host: String,
}

impl Front {
    fn cert(&self, f: &str) -> String {
        self.certs.join(f).display().to_string()
    }
}

fn front() -> Option<Front> {
    if !common::engine_available() || !openssl_available() {
        eprintln!("skipped: needs an engine and openssl");
        return None;
    }
    let Some(sock) = test_host().strip_prefix("unix://").map(PathBuf::from) else {
        eprintln!("skipped: the test engine is not on a unix socket");
        return None;
    };
    let env = TestEnv::new().unset("DOCKER_HOST");
    let certs = env.path().join("certs");
    std::fs::create_dir_all(&certs).expect("certs dir");
    make_certs(&certs);
    let port = tls_front(&certs, sock);
    Some(Front {
        env,
        certs,
        host: format!("tcp://127.0.0.1:{port}"),
    })
}

fn version_json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).expect("version json")
}

#[test]
fn tlsverify_with_ca_and_client_certificate() {
    let Some(f) = front() else { return };
    let (ca, cert, key) = (f.cert("ca.pem"), f.cert("cert.pem"), f.cert("key.pem"));
    let g = [
        "-H",
        &f.host,
        "--tlsverify",
        "--tlscacert",
        &ca,
        "--tlscert",
        &cert,
        "--tlskey",
        &key,
    ];
    let mut a: Vec<&str> = g.to_vec();
    a.extend(["ofelia", "version", "--format", "json"]);
    let v = version_json(&ok(f.env.docker(&a)));
    assert_eq!(v["engine"]["host"], f.host.as_str());
    // Standalone, and through DOCKER_TLS_VERIFY + DOCKER_CERT_PATH.
    let v = version_json(&ok(f.env.plugin(&a)));
    assert_eq!(v["engine"]["host"], f.host.as_str());
    let env = TestEnv::new()
        .env("DOCKER_HOST", &f.host)
        .env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", &f.certs.display().to_string());
    let v = version_json(&ok(env.docker(["ofelia", "version", "--format", "json"])));
    assert_eq!(v["engine"]["host"], f.host.as_str());
}

#[test]
fn tls_without_verification() {
    let Some(f) = front() else { return };
    let (cert, key) = (f.cert("cert.pem"), f.cert("key.pem"));
    for flag in ["--tls", "--tlsverify=false"] {
        // A CA that did not sign the server: ignored without verification.
        let other = f.cert("other-ca.pem");
        let a = [
            "-H",
            &f.host,
            flag,
            "--tlscacert",
            &other,
            "--tlscert",
            &cert,
            "--tlskey",
            &key,
            "ofelia",
            "version",
            "--format",
            "json",
        ];
        let v = version_json(&ok(f.env.docker(a)));
        assert_eq!(v["engine"]["host"], f.host.as_str(), "{flag}");
    }
}

#[test]
fn tls_failures_are_one_clear_line() {
    let Some(f) = front() else { return };
    let (cert, key) = (f.cert("cert.pem"), f.cert("key.pem"));
    let other = f.cert("other-ca.pem");
    // The server's certificate is not signed by the given CA.
    let a = [
        "-H",
        &f.host,
        "--tlsverify",
        "--tlscacert",
        &other,
        "--tlscert",
        &cert,
        "--tlskey",
        &key,
        "version",
    ];
    let (code, _, err) = run(f.env.plugin(a));
    assert_eq!(code, 1);
    assert!(err.starts_with("error during connect: "), "{err}");
    assert!(err.contains("tls: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // No client certificate: the server refuses the handshake.
    let ca = f.cert("ca.pem");
    let (code, _, err) =
        run(f
            .env
            .plugin(["-H", &f.host, "--tlsverify", "--tlscacert", &ca, "version"]));
    assert_eq!(code, 1);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // Plain HTTP to a TLS port does not hang either.
    let (code, _, err) = run(f.env.plugin(["-H", &f.host, "version"]));
    assert_eq!(code, 1);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

fn write_tls_context(
    config: &Path,
    name: &str,
    host: &str,
    skip_verify: bool,
    files: &[(&Path, &str)],
) {
    let id: String = Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let meta = config.join("contexts").join("meta").join(&id);
    std::fs::create_dir_all(&meta).expect("meta");
    let json = serde_json::json!({
        "Name": name,
        "Metadata": {},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": skip_verify}},
    });
    std::fs::write(meta.join("meta.json"), json.to_string()).expect("meta.json");
    let tls = config.join("contexts").join("tls").join(&id).join("docker");
    std::fs::create_dir_all(&tls).expect("tls dir");
    for (src, dst) in files {
        std::fs::copy(src, tls.join(dst)).expect("copy");
    }
}

#[test]
fn contexts_with_tls_material_and_skip_verify() {
    let Some(f) = front() else { return };
    let c = |n: &str| f.certs.join(n);
    write_tls_context(
        &f.env.config_dir(),
        "tls-verified",
        &f.host,
        false,
        &[
            (&c("ca.pem"), "ca.pem"),
            (&c("cert.pem"), "cert.pem"),
            (&c("key.pem"), "key.pem"),
        ],
    );
    write_tls_context(
        &f.env.config_dir(),
        "tls-skip",
        &f.host,
        true,
        &[(&c("cert.pem"), "cert.pem"), (&c("key.pem"), "key.pem")],
    );
    write_tls_context(
        &f.env.config_dir(),
        "tls-wrong-ca",
        &f.host,
        false,
        &[
            (&c("other-ca.pem"), "ca.pem"),
            (&c("cert.pem"), "cert.pem"),
            (&c("key.pem"), "key.pem"),
        ],
    );
    for name in ["tls-verified", "tls-skip"] {
        let v = version_json(&ok(f.env.docker([
            "--context",
            name,
            "ofelia",
            "version",
            "--format",
            "json",
        ])));
        assert_eq!(v["engine"]["context"], name);
        assert_eq!(v["engine"]["host"], f.host.as_str());
    }
    let (code, _, err) = run(f
        .env
        .docker(["--context", "tls-wrong-ca", "ofelia", "version"]));
    assert_eq!(code, 1);
    assert!(err.contains("tls: "), "{err}");
}
