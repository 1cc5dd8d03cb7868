#!/bin/bash
# Builds and starts a REAL WordPress + Paid Memberships Pro + Abilities API site for the real-site
# lane (realsite/, `make test-wordpress`). Debian 12, as root: apt-get installs what is missing.
#
#   realsite/build-site.sh DIR
#   HTTP_PORT=8081 DB_PORT=3307                     loopback ports (environment)
#   PMPRO_ARCHIVE=.../paid-memberships-pro.zip      the plugin as a .zip (wordpress.org) or .tar.gz
#   ABILITIES_ARCHIVE=.../abilities-api.zip         the Abilities API feature plugin, .zip or .tar.gz
#   WC_ABILITIES_PHP=FILE                           must-use plugin registering the WooCommerce
#                                                   Memberships abilities (python -m realsite.abilities_php)
#
# The site is the one ../shared/realpeer/setup.sh builds (same seeded users, levels, memberships,
# posts, discount code and orders, so the same ids; DIR/run/ids.json records them), with the
# archives given instead of fixed ones, and the generated abilities instead of realpeer's test
# abilities. Builds DIR from scratch (fresh database), starts MariaDB on 127.0.0.1:$DB_PORT and
# `php -S` on 127.0.0.1:$HTTP_PORT, seeds and checks it. Afterwards DIR/start.sh and DIR/stop.sh.
set -euo pipefail
T0=$(date +%s)
R=$(realpath -m "${1:?usage: build-site.sh DIR}")
PMPRO_ARCHIVE=$(realpath "${PMPRO_ARCHIVE:?PMPRO_ARCHIVE: the Paid Memberships Pro .zip or .tar.gz}")
ABILITIES_ARCHIVE=$(realpath "${ABILITIES_ARCHIVE:?ABILITIES_ARCHIVE: the Abilities API .zip or .tar.gz}")
WC_ABILITIES_PHP=$(realpath "${WC_ABILITIES_PHP:?WC_ABILITIES_PHP: the generated abilities must-use plugin}")
HTTP_PORT=${HTTP_PORT:-8081}
DB_PORT=${DB_PORT:-3307}
RUN=$R/run
WP=$R/wp
log() { echo "[realsite] $*"; }

# --- 1. Debian packages ------------------------------------------------------------
need_pkgs="wordpress wordpress-theme-twentytwentythree mariadb-server mariadb-client php-cli php-mysql
  php-curl php-xml php-mbstring php-gd php-zip php-intl php-bcmath php-imagick curl git ca-certificates unzip"
missing=$(dpkg-query -W -f='${Package} ${Status}\n' $need_pkgs 2>/dev/null | awk '$4!="installed"{print $1}' || true)
if [ -n "$missing" ] || ! dpkg-query -W $need_pkgs >/dev/null 2>&1; then
  log "apt-get install ($(echo $need_pkgs | wc -w) packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $need_pkgs >/tmp/realsite-apt.log 2>&1 \
    || { tail -20 /tmp/realsite-apt.log; exit 1; }
fi

# --- 2. stop an earlier instance (only processes from our own pid files), wipe -----
stop_pidfile() {  # kill the process group recorded in a pid file, if it is still ours
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q "$2" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
}
if [ -d "$R" ] && [ -n "$(ls -A "$R" 2>/dev/null)" ] && [ ! -f "$R/.realsite" ]; then
  echo "ERROR: $R exists, is not empty and was not built by this script; refusing to wipe it" >&2; exit 1
fi
if [ -d "$R" ]; then
  log "stopping earlier instance and wiping $R"
  stop_pidfile "$RUN/php.pid" "php"
  stop_pidfile "$RUN/mysqld.pid" "mariadbd"
  rm -rf "$R"
fi
for port in $DB_PORT $HTTP_PORT; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "ERROR: port $port on 127.0.0.1 is already in use by another process" >&2; exit 1
  fi
done
mkdir -p "$RUN" "$R/setup" && touch "$R/.realsite"

# --- 3. WordPress files (self-contained, symlinks dereferenced) ---------------------
log "copying WordPress $(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" /usr/share/wordpress/wp-includes/version.php)"
cp -rL /usr/share/wordpress "$WP"
rm -f "$WP/wp-config.php" "$WP/.htaccess"
mkdir -p "$WP/wp-content/themes" "$WP/wp-content/uploads" "$WP/wp-content/mu-plugins" "$WP/wp-content/plugins"
# Debian ships themes separately; copy whatever theme packages installed
for d in /usr/share/wordpress/wp-content/themes/* /var/lib/wordpress/wp-content/themes/*; do
  [ -d "$d" ] && [ ! -e "$WP/wp-content/themes/$(basename "$d")" ] && cp -rL "$d" "$WP/wp-content/themes/"
done

# --- 4. plugins from the given archives ----------------------------------------------------
unpack_plugin() {  # unpack_plugin ARCHIVE DEST NAME: the archive's one top folder becomes DEST/NAME
  local archive=$1 dest=$2 name=$3 tmp top
  tmp=$(mktemp -d "$R/setup/unpack.XXXX")
  case "$archive" in
    *.zip) unzip -q "$archive" -d "$tmp" ;;
    *.tar.gz|*.tgz) tar -xzf "$archive" -C "$tmp" ;;
    *) echo "ERROR: $archive: expected a .zip or .tar.gz" >&2; exit 1 ;;
  esac
  top=$(find "$tmp" -mindepth 1 -maxdepth 1)
  if [ "$(echo "$top" | wc -l)" != 1 ] || [ ! -d "$top" ]; then
    echo "ERROR: $archive: expected one top-level folder (the plugin), found: $(ls "$tmp")" >&2; exit 1
  fi
  mv "$top" "$dest/$name" && rmdir "$tmp"
}
unpack_plugin "$PMPRO_ARCHIVE" "$WP/wp-content/plugins" paid-memberships-pro
unpack_plugin "$ABILITIES_ARCHIVE" "$WP/wp-content/mu-plugins" abilities-api
[ -f "$WP/wp-content/plugins/paid-memberships-pro/paid-memberships-pro.php" ] \
  || { echo "ERROR: $PMPRO_ARCHIVE holds no paid-memberships-pro.php" >&2; exit 1; }
[ -f "$WP/wp-content/mu-plugins/abilities-api/abilities-api.php" ] \
  || { echo "ERROR: $ABILITIES_ARCHIVE holds no abilities-api.php" >&2; exit 1; }

# --- 5. wp-config.php ----------------------------------------------------------------
salt() { head -c 48 /dev/urandom | base64 | tr -d '\n/+='; }
cat >"$WP/wp-config.php" <<EOF
<?php
// realsite: MariaDB instance on 127.0.0.1:$DB_PORT (datadir $RUN/db)
define( 'DB_NAME', 'wp' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'wp' );
define( 'DB_HOST', '127.0.0.1:$DB_PORT' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'AUTH_KEY', '$(salt)' );
define( 'SECURE_AUTH_KEY', '$(salt)' );
define( 'LOGGED_IN_KEY', '$(salt)' );
define( 'NONCE_KEY', '$(salt)' );
define( 'AUTH_SALT', '$(salt)' );
define( 'SECURE_AUTH_SALT', '$(salt)' );
define( 'LOGGED_IN_SALT', '$(salt)' );
define( 'NONCE_SALT', '$(salt)' );
\$table_prefix = 'wp_';
define( 'WP_HOME', 'http://127.0.0.1:$HTTP_PORT' );
define( 'WP_SITEURL', 'http://127.0.0.1:$HTTP_PORT' );
define( 'WP_ENVIRONMENT_TYPE', 'local' );   // application passwords over plain http
define( 'WP_DEBUG', false );
define( 'DISABLE_WP_CRON', true );          // deterministic: no background cron runs
define( 'WP_HTTP_BLOCK_EXTERNAL', true );   // offline: fail outbound HTTP at once
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'FS_METHOD', 'direct' );
if ( ! defined( 'ABSPATH' ) ) { define( 'ABSPATH', __DIR__ . '/' ); }
require_once ABSPATH . 'wp-settings.php';
EOF

# --- 6. router for php -S: real files as-is, everything else to index.php ----------
cat >"$WP/router.php" <<'EOF'
<?php
$root = __DIR__;
$path = rawurldecode( parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) ?? '/' );
$file = realpath( $root . $path );
if ( false !== $file && 0 === strpos( $file, $root ) ) {
	if ( is_file( $file ) ) { return false; }                      // static file or a .php script
	if ( is_dir( $file ) && is_file( $file . '/index.php' ) ) {    // e.g. /wp-admin/
		if ( '/' !== substr( $path, -1 ) ) { header( 'Location: ' . $path . '/', true, 301 ); return true; }
		return false;
	}
}
$_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
require $root . '/index.php';
EOF

# --- 7. mu-plugins ---------------------------------------------------------------------
MU=$WP/wp-content/mu-plugins
cat >"$MU/00-realpeer.php" <<EOF
<?php
// realsite: application passwords over plain http; mail is logged, not sent.
add_filter( 'wp_is_application_passwords_available', '__return_true' );
add_filter( 'pre_wp_mail', function ( \$null, \$atts ) {
	file_put_contents( '$RUN/mail.log', wp_json_encode( array( 'to' => \$atts['to'], 'subject' => \$atts['subject'] ) ) . "\n", FILE_APPEND );
	return true;
}, 10, 2 );
EOF
cat >"$MU/01-abilities-api.php" <<'EOF'
<?php
// realsite: load the Abilities API feature plugin as a must-use plugin.
require_once __DIR__ . '/abilities-api/abilities-api.php';
EOF
cp "$WC_ABILITIES_PHP" "$MU/02-wc-memberships-abilities.php"   # generated from schemas/ by realsite/abilities_php.py

# --- 8. MariaDB instance + start/stop scripts ---------------------------------------
cat >"$R/my.cnf" <<EOF
[mysqld]
user=root
datadir=$RUN/db
socket=$RUN/mysqld.sock
port=$DB_PORT
bind-address=127.0.0.1
pid-file=$RUN/mysqld.pid
log-error=$RUN/mysqld.err
skip-name-resolve
innodb_buffer_pool_size=128M
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
[client]
socket=$RUN/mysqld.sock
EOF

{ echo '#!/bin/bash'; echo '# Start MariaDB and php -S unless already up; return once /wp-json/ answers.'
  echo "R=$R; HTTP_PORT=$HTTP_PORT; DB_PORT=$DB_PORT"; } >"$R/start.sh"
cat >>"$R/start.sh" <<'EOF'
RUN=$R/run
alive() { [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }
if ! mariadb-admin --defaults-file=$R/my.cnf -uroot ping >/dev/null 2>&1; then
  alive $RUN/mysqld.pid || setsid nohup mariadbd --defaults-file=$R/my.cnf >>$RUN/mysqld.out 2>&1 </dev/null &
  for _ in $(seq 120); do mariadb-admin --defaults-file=$R/my.cnf -uroot ping >/dev/null 2>&1 && break; sleep 0.5; done
  mariadb-admin --defaults-file=$R/my.cnf -uroot ping >/dev/null 2>&1 || { echo "MariaDB did not start; see $RUN/mysqld.err" >&2; exit 1; }
fi
up() { curl -sf -o /dev/null --max-time 10 http://127.0.0.1:$HTTP_PORT/wp-json/; }
if ! up; then
  if ! alive $RUN/php.pid; then
    cd $R/wp
    PHP_CLI_SERVER_WORKERS=4 setsid nohup php -d display_errors=0 -d log_errors=1 -d error_log=$RUN/php-errors.log \
      -S 127.0.0.1:$HTTP_PORT router.php >>$RUN/php.log 2>&1 </dev/null &
    echo $! >$RUN/php.pid
  fi
  for _ in $(seq 120); do up && break; sleep 0.5; done
  up || { echo "PHP server did not answer on :$HTTP_PORT; see $RUN/php.log" >&2; exit 1; }
fi
echo "WordPress up: http://127.0.0.1:$HTTP_PORT/wp-json/ (MariaDB 127.0.0.1:$DB_PORT)"
EOF
{ echo '#!/bin/bash'; echo '# Stop the php -S server and the MariaDB instance started by start.sh.'; echo "R=$R"; } >"$R/stop.sh"
cat >>"$R/stop.sh" <<'EOF'
RUN=$R/run
if [ -f $RUN/php.pid ] && kill -0 "$(cat $RUN/php.pid)" 2>/dev/null; then kill -- "-$(cat $RUN/php.pid)" 2>/dev/null || kill "$(cat $RUN/php.pid)"; fi
mariadb-admin --defaults-file=$R/my.cnf -uroot shutdown 2>/dev/null || true
EOF
chmod +x "$R/start.sh" "$R/stop.sh"

log "initialising MariaDB datadir"
mariadb-install-db --defaults-file="$R/my.cnf" --skip-test-db --auth-root-authentication-method=socket >"$RUN/install-db.log" 2>&1 \
  || { tail -20 "$RUN/install-db.log"; exit 1; }
setsid nohup mariadbd --defaults-file="$R/my.cnf" >>"$RUN/mysqld.out" 2>&1 </dev/null &
for _ in $(seq 120); do mariadb-admin --defaults-file="$R/my.cnf" -uroot ping >/dev/null 2>&1 && break; sleep 0.5; done
mariadb --defaults-file="$R/my.cnf" -uroot <<'EOF'
CREATE DATABASE wp CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'wp'@'127.0.0.1' IDENTIFIED BY 'wp';
CREATE USER 'wp'@'localhost' IDENTIFIED BY 'wp';
GRANT ALL PRIVILEGES ON wp.* TO 'wp'@'127.0.0.1';
GRANT ALL PRIVILEGES ON wp.* TO 'wp'@'localhost';
FLUSH PRIVILEGES;
EOF

# --- 9. install WordPress, activate PMPro, seed data (each step its own PHP process) --
cat >"$R/setup/1-install.php" <<'EOF'
<?php
// Install WordPress core (creates user 1 "admin" and posts 1-3).
define( 'WP_INSTALLING', true );
$_SERVER['HTTP_HOST'] = '127.0.0.1:' . getenv( 'HTTP_PORT' );
require dirname( __DIR__ ) . '/wp/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
if ( is_blog_installed() ) { fwrite( STDERR, "already installed\n" ); exit( 1 ); }
$r = wp_install( 'Real Peer', 'admin', 'admin@example.org', true, '', 'admin-pass' );
update_option( 'permalink_structure', '/%postname%/' );
echo "installed WordPress {$GLOBALS['wp_version']}, admin id {$r['user_id']}\n";
EOF
cat >"$R/setup/2-activate.php" <<'EOF'
<?php
// Activate PMPro as the admin screen would (is_admin() makes PMPro create its tables on load).
define( 'WP_ADMIN', true );
$_SERVER['HTTP_HOST'] = '127.0.0.1:' . getenv( 'HTTP_PORT' );
require dirname( __DIR__ ) . '/wp/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
wp_set_current_user( 1 );
$res = activate_plugin( 'paid-memberships-pro/paid-memberships-pro.php' );
if ( is_wp_error( $res ) ) { fwrite( STDERR, $res->get_error_message() . "\n" ); exit( 1 ); }
pmpro_checkForUpgrades();              // no-op unless the tables are still missing
delete_option( 'pmpro_wizard_redirect' );
global $wp_rewrite;
$wp_rewrite->set_permalink_structure( '/%postname%/' );
flush_rewrite_rules( false );
echo 'active plugins: ' . implode( ', ', get_option( 'active_plugins' ) ) . '; pmpro_db_version ' . get_option( 'pmpro_db_version' ) . "\n";
EOF
cat >"$R/setup/3-seed.php" <<'EOF'
<?php
// Seed users, levels, memberships, restricted posts, a discount code, orders, app passwords.
$_SERVER['HTTP_HOST'] = '127.0.0.1:' . getenv( 'HTTP_PORT' );
require dirname( __DIR__ ) . '/wp/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
wp_set_current_user( 1 );
$run = dirname( __DIR__ ) . '/run';
function must( $v, $what ) {
	if ( is_wp_error( $v ) || ! $v ) { fwrite( STDERR, "FAILED: $what " . ( is_wp_error( $v ) ? $v->get_error_message() : '' ) . "\n" ); exit( 1 ); }
	return $v;
}

// Posts 4-6 (1-3 are WordPress' own); dummy drafts only if the next id is below 4.
$posts = array();
while ( ( $next = (int) $GLOBALS['wpdb']->get_var( "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{$GLOBALS['wpdb']->posts}'" ) ) && $next < 4 ) {
	must( wp_insert_post( array( 'post_title' => 'Dummy', 'post_status' => 'draft' ) ), 'dummy post' );
}
foreach ( array( 'gold' => 'Gold post', 'annual' => 'Annual post', 'public' => 'Public post' ) as $k => $title ) {
	$posts[ $k ] = must( wp_insert_post( array(
		'post_title' => $title, 'post_content' => "Content of the $title.", 'post_status' => 'publish', 'post_author' => 1,
	) ), "post $title" );
}

// Users 2-4.
$users = array( 'admin' => 1 );
foreach ( array( 'alice', 'bob', 'carol' ) as $u ) {
	$users[ $u ] = must( wp_insert_user( array(
		'user_login' => $u, 'user_pass' => "$u-pass", 'user_email' => "$u@example.org",
		'display_name' => ucfirst( $u ), 'first_name' => ucfirst( $u ), 'role' => 'subscriber',
	) ), "user $u" );
}

// Membership levels 1-3, in PMPro's default "Main Group" (as the admin screen does).
$groups = pmpro_get_level_groups();    // creates "Main Group" when there is none
$group_id = (int) must( key( $groups ), 'level group' );
$levels = array();
foreach ( array(
	'free'   => array( 'Free', 'Free level', 'Welcome, free member', 0, 0, 0, '', 0, '' ),
	'gold'   => array( 'Gold Monthly', 'Recurring monthly', 'Thanks for going gold', 20, 20, 1, 'Month', 0, '' ),
	'annual' => array( 'Annual Pass', 'One payment, expires', '', 99.5, 0, 0, '', 1, 'Year' ),
) as $k => $d ) {
	$l = new PMPro_Membership_Level();
	list( $l->name, $l->description, $l->confirmation, $l->initial_payment, $l->billing_amount,
		$l->cycle_number, $l->cycle_period, $l->expiration_number, $l->expiration_period ) = $d;
	$l->billing_limit = 0; $l->trial_amount = 0; $l->trial_limit = 0; $l->allow_signups = 1;
	$l->categories = array();
	$l->save();
	$levels[ $k ] = (int) must( $l->id, "level $k" );
	pmpro_add_level_to_group( $levels[ $k ], $group_id );
}

// Memberships: alice -> Gold Monthly, bob -> Annual Pass (carol: none); the custom
// level array is built the way pmpro_complete_checkout() builds it (billing + end date).
foreach ( array( 'alice' => 'gold', 'bob' => 'annual' ) as $u => $k ) {
	$lv = pmpro_getLevel( $levels[ $k ] );
	$enddate = empty( $lv->expiration_number ) ? 'NULL'
		: date( 'Y-m-d 23:59:59', strtotime( '+ ' . $lv->expiration_number . ' ' . $lv->expiration_period, current_time( 'timestamp' ) ) );
	must( false !== pmpro_changeMembershipLevel( array(
		'user_id' => $users[ $u ], 'membership_id' => $lv->id, 'code_id' => 0,
		'initial_payment' => $lv->initial_payment, 'billing_amount' => $lv->billing_amount,
		'cycle_number' => $lv->cycle_number, 'cycle_period' => $lv->cycle_period, 'billing_limit' => $lv->billing_limit,
		'trial_amount' => $lv->trial_amount, 'trial_limit' => $lv->trial_limit,
		'startdate' => current_time( 'mysql' ), 'enddate' => $enddate,
	), $users[ $u ], 'changed' ), "$u level" );
}

// Restrictions.
pmpro_update_post_level_restrictions( $posts['gold'], array( $levels['gold'] ) );
pmpro_update_post_level_restrictions( $posts['annual'], array( $levels['annual'] ) );

// Discount code SAVE50 for Gold Monthly: 10 initial, 10/month.
$dc = new PMPro_Discount_Code();
$dc->code = 'SAVE50'; $dc->starts = '2025-01-01'; $dc->expires = '2035-12-31'; $dc->uses = 0;
$dc->levels = array( $levels['gold'] => array(
	'initial_payment' => 10, 'billing_amount' => 10, 'cycle_number' => 1, 'cycle_period' => 'Month',
	'billing_limit' => 0, 'trial_amount' => 0, 'trial_limit' => 0, 'expiration_number' => 0, 'expiration_period' => '',
) );
$saved = must( $dc->save(), 'discount code' );
$code_id = (int) $saved->id;

// Orders.
$orders = array();
foreach ( array( 'alice' => array( 'gold', 20 ), 'bob' => array( 'annual', 99.5 ) ) as $u => $o ) {
	$order = new MemberOrder();
	$order->user_id = $users[ $u ];
	$order->membership_id = $levels[ $o[0] ];
	$order->subtotal = $o[1]; $order->tax = 0; $order->total = $o[1];
	$order->status = 'success';
	$order->payment_type = '';
	$order->billing = new stdClass();
	$order->billing->name = ucfirst( $u ); $order->billing->street = ''; $order->billing->street2 = ''; $order->billing->city = '';
	$order->billing->state = ''; $order->billing->zip = ''; $order->billing->country = ''; $order->billing->phone = '';
	must( $order->saveOrder(), "order $u" );
	$orders[ $u ] = array( 'id' => (int) $order->id, 'code' => $order->code );
}

// Application passwords for admin and alice.
foreach ( array( 'admin', 'alice' ) as $u ) {
	$r = must( WP_Application_Passwords::create_new_application_password( $users[ $u ], array( 'name' => 'realpeer' ) ), "app password $u" );
	file_put_contents( "$run/apppass-$u.txt", $r[0] );
}

$ids = array(
	'users' => $users, 'levels' => $levels, 'posts' => $posts, 'discount_codes' => array( 'SAVE50' => $code_id ),
	'orders' => $orders, 'passwords' => array( 'admin' => 'admin-pass', 'alice' => 'alice-pass', 'bob' => 'bob-pass', 'carol' => 'carol-pass' ),
	'wordpress' => $GLOBALS['wp_version'], 'pmpro' => PMPRO_VERSION, 'abilities_api' => WP_ABILITIES_API_VERSION,
);
file_put_contents( "$run/ids.json", wp_json_encode( $ids, JSON_PRETTY_PRINT ) . "\n" );
$want = array( 'users' => array( 'admin' => 1, 'alice' => 2, 'bob' => 3, 'carol' => 4 ), 'levels' => array( 'free' => 1, 'gold' => 2, 'annual' => 3 ),
	'posts' => array( 'gold' => 4, 'annual' => 5, 'public' => 6 ) );
foreach ( $want as $k => $v ) {
	if ( $ids[ $k ] != $v ) { echo "NOTE: $k ids differ from the planned ones: " . wp_json_encode( $ids[ $k ] ) . "\n"; }
}
echo wp_json_encode( $ids ) . "\n";
EOF
cd "$R/setup"
export HTTP_PORT
log "installing WordPress";      php 1-install.php
log "activating PMPro";          php 2-activate.php
log "seeding data";              php 3-seed.php

# --- 10. start the web server -------------------------------------------------------------
log "starting PHP server"
"$R/start.sh"

# --- 11. verify -----------------------------------------------------------------------
cd "$R"
B=http://127.0.0.1:$HTTP_PORT/wp-json
ADMIN="admin:$(cat run/apppass-admin.txt)"; ALICE="alice:$(cat run/apppass-alice.txt)"
fails=0
check() {  # check NAME EXPECTED_HTTP_CODE PHP_JSON_TEST curl-args...
  local name=$1 want=$2 test=$3; shift 3
  local body code
  body=$(curl -s -w '\n%{http_code}' "$@"); code=${body##*$'\n'}; body=${body%$'\n'*}
  if [ "$code" = "$want" ] && printf '%s' "$body" | php -r "\$j=json_decode(stream_get_contents(STDIN),true); exit(($test)?0:1);"; then
    echo "PASS $name (HTTP $code) ${body:0:300}"
  else
    echo "FAIL $name (HTTP $code, wanted $want) ${body:0:600}"; fails=$((fails+1))
  fi
}
check "membership_levels" 200 'isset($j[1],$j[2],$j[3]) && count($j)==3 && $j[2]["name"]=="Gold Monthly"' \
  -u "$ADMIN" "$B/pmpro/v1/membership_levels"
check "membership_level?id=2" 200 '$j["id"]==2 && $j["name"]=="Gold Monthly"' "$B/pmpro/v1/membership_level?id=2"
check "wp-abilities/v1/abilities" 200 'count(preg_grep("#^woocommerce-memberships/#", array_column($j,"name")))==8' \
  -u "$ADMIN" "$B/wp-abilities/v1/abilities?per_page=100"
check "has_membership_access as alice" 403 'is_array($j)' -u "$ALICE" "$B/pmpro/v1/has_membership_access?post_id=4&user_id=2"
check "has_membership_access as admin" 200 'true' -u "$ADMIN" "$B/pmpro/v1/has_membership_access?post_id=4&user_id=2"
check "run plans-list" 200 'is_array($j) && count($j)>0' -u "$ADMIN" "$B/wp-abilities/v1/abilities/woocommerce-memberships/plans-list/run"
check "run plans-get unknown" 404 '$j["code"]=="plan_not_found"' -u "$ADMIN" "$B/wp-abilities/v1/abilities/woocommerce-memberships/plans-get/run?input=987654321"

echo "ids: $(tr -d ' \n' <run/ids.json)"
echo "build-site.sh took $(( $(date +%s) - T0 ))s; $fails check(s) failed; server left running (stop: $R/stop.sh)"
[ "$fails" = 0 ]
