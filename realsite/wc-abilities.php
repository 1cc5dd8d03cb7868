<?php
/*
 * The eight WooCommerce Memberships abilities on a real WordPress site, for the real-site lane.
 *
 * WooCommerce Memberships is commercial, so the lane cannot install it. What it can do is let
 * real WordPress code (the Abilities API, which WordPress 6.9 merged into core) serve abilities
 * registered under the plugin's names with the input schemas, output schemas and annotations of
 * the project's contracts: core then decides the run method, input validation, permission
 * errors and error envelopes, and those are what the lane compares. The execute callbacks below
 * are deliberately simple stand-ins for the plugin's own code, over a small stored data set.
 *
 * realsite/abilities_php.py prepends the definitions (MEMBERMOCK_WC_SPEC: categories, abilities
 * and the initial data, all generated from schemas/ and realsite/wc-data.json).
 */

// WooCommerce gives administrators (and shop managers) manage_woocommerce when it is installed.
add_filter( 'user_has_cap', function ( $allcaps, $caps, $args, $user ) {
	if ( $user instanceof WP_User && in_array( 'administrator', (array) $user->roles, true ) ) {
		$allcaps['manage_woocommerce'] = true;
	}
	return $allcaps;
}, 10, 4 );

function membermock_wc_spec() {
	static $spec = null;
	if ( null === $spec ) {
		$spec = json_decode( MEMBERMOCK_WC_SPEC, true );
	}
	return $spec;
}

add_action( 'wp_abilities_api_categories_init', function () {
	foreach ( membermock_wc_spec()['categories'] as $slug => $category ) {
		wp_register_ability_category( $slug, array( 'label' => $category['label'], 'description' => $category['description'] ) );
	}
} );

add_action( 'wp_abilities_api_init', function () {
	foreach ( membermock_wc_spec()['abilities'] as $name => $ability ) {
		$args = array(
			'label'               => $ability['label'],
			'description'         => $ability['description'],
			'category'            => $ability['category'],
			'output_schema'       => $ability['output_schema'],
			'execute_callback'    => function ( $input = null ) use ( $name ) {
				return membermock_wc_execute( $name, $input );
			},
			'permission_callback' => function () {
				return current_user_can( 'manage_woocommerce' );
			},
			'meta'                => array( 'show_in_rest' => true, 'annotations' => $ability['annotations'] ),
		);
		$args['input_schema'] = $ability['input_schema'];
		wp_register_ability( $name, $args );
	}
} );

// -- the stored data: one option, seeded from the spec on first use ---------------------------

function membermock_wc_load() {
	$store = get_option( 'membermock_wc' );
	if ( is_array( $store ) ) {
		return $store;
	}
	$data  = membermock_wc_spec()['data'];
	$store = array( 'plans' => array(), 'memberships' => array(), 'next_id' => 1, 'clock' => 0 );
	foreach ( $data['plans'] as $plan ) {
		$store['plans'][ $plan['id'] ] = $plan + array( '_order' => ++$store['clock'] );
	}
	foreach ( $data['user_memberships'] as $membership ) {
		$user = get_user_by( 'login', $membership['user_login'] );
		unset( $membership['user_login'] );
		$membership['user_id'] = $user ? (int) $user->ID : 0;
		$store['memberships'][ $membership['id'] ] = $membership + array( '_order' => ++$store['clock'] );
	}
	$ids              = array_merge( array_keys( $store['plans'] ), array_keys( $store['memberships'] ), array( 0 ) );
	$store['next_id'] = max( $ids ) + 1;
	add_option( 'membermock_wc', $store, '', false );
	return $store;
}

function membermock_wc_save( $store ) {
	update_option( 'membermock_wc', $store, false );
}

function membermock_wc_public( $object ) {
	foreach ( array_keys( $object ) as $key ) {
		if ( '_' === substr( (string) $key, 0, 1 ) ) {
			unset( $object[ $key ] );
		}
	}
	return $object;
}

function membermock_wc_error( $code, $message, $status ) {
	return new WP_Error( $code, $message, array( 'status' => $status ) );
}

// -- the abilities ------------------------------------------------------------------------------

function membermock_wc_execute( $name, $input ) {
	$store = membermock_wc_load();
	switch ( substr( $name, strlen( 'woocommerce-memberships/' ) ) ) {
		case 'plans-create':
			return membermock_wc_create_plan( $store, $input );
		case 'plans-get':
			$plan = $store['plans'][ (int) $input ] ?? null;
			return $plan ? membermock_wc_public( $plan ) : membermock_wc_error( 'plan_not_found', 'Membership plan not found.', 404 );
		case 'plans-list':
			return membermock_wc_list_plans( $store, $name, is_array( $input ) ? $input : array() );
		case 'plans-delete':
			return membermock_wc_delete_plan( $store, (int) $input );
		case 'user-memberships-create':
			return membermock_wc_create_membership( $store, $input );
		case 'user-memberships-get':
			$membership = $store['memberships'][ (int) $input ] ?? null;
			return $membership ? membermock_wc_public( $membership ) : membermock_wc_error( 'membership_not_found', 'User membership not found.', 404 );
		case 'user-memberships-list':
			return membermock_wc_list_memberships( $store, $name, $input );
		case 'user-memberships-delete':
			$id = (int) $input;
			if ( empty( $store['memberships'][ $id ] ) ) {
				return membermock_wc_error( 'membership_not_found', 'User membership not found.', 404 );
			}
			$membership = $store['memberships'][ $id ];
			unset( $store['memberships'][ $id ] );
			membermock_wc_save( $store );
			return membermock_wc_public( $membership );
	}
	return membermock_wc_error( 'unknown_ability', 'No callback for this ability.', 500 );
}

/** Defaults the ability's input schema gives its properties (core applies only the top-level one). */
function membermock_wc_defaults( $name ) {
	$defaults = array();
	foreach ( membermock_wc_spec()['abilities'][ $name ]['input_schema']['properties'] ?? array() as $key => $property ) {
		if ( array_key_exists( 'default', $property ) ) {
			$defaults[ $key ] = $property['default'];
		}
	}
	return $defaults;
}

function membermock_wc_date( $day ) {
	return gmdate( 'c', strtotime( substr( (string) $day, 0, 10 ) . ' 00:00:00 UTC' ) );
}

function membermock_wc_rule( $rule, $kind ) {
	$out = array(
		'id'                => 'rule_' . substr( md5( uniqid( '', true ) ), 0, 13 ),
		'content_type'      => (string) $rule['content_type'],
		'content_type_name' => (string) $rule['content_type_name'],
		'object_ids'        => array_map( 'absint', (array) $rule['object_ids'] ),
	);
	if ( 'purchasing_discount' === $kind ) {
		$out['active']          = (bool) ( $rule['active'] ?? false );
		$out['discount_type']   = (string) ( $rule['discount_type'] ?? 'percentage' );
		$out['discount_amount'] = $rule['discount_amount'] ?? '0';   // kept as sent: a number or a numeric string
		return $out;
	}
	$schedule = $rule['access_schedule'] ?? array( 'type' => 'immediate' );
	$out['access_schedule'] = 'delayed' === ( $schedule['type'] ?? '' )
		? array( 'type' => 'delayed', 'amount' => absint( $schedule['amount'] ?? 0 ), 'period' => (string) ( $schedule['period'] ?? 'days' ) )
		: array( 'type' => 'immediate' );
	if ( 'product_restriction' === $kind ) {
		$out['access_type'] = (string) ( $rule['access_type'] ?? 'view' );
	}
	return $out;
}

function membermock_wc_create_plan( $store, $input ) {
	foreach ( (array) ( $input['rules']['product_restriction'] ?? array() ) as $rule ) {
		if ( ! in_array( $rule['access_type'] ?? 'view', array( 'view', 'purchase' ), true ) ) {
			return membermock_wc_error( 'invalid_input', "A product restriction rule's access_type is view or purchase.", 422 );
		}
	}
	foreach ( (array) ( $input['rules']['purchasing_discount'] ?? array() ) as $rule ) {
		if ( ! is_numeric( $rule['discount_amount'] ?? '' ) || ! is_finite( (float) $rule['discount_amount'] ) ) {
			return membermock_wc_error( 'invalid_input', 'A discount amount must be a number.', 422 );
		}
	}
	$access = (array) ( $input['access'] ?? array() );
	$access += array( 'method' => 'manual-only' );
	if ( 'purchase' === $access['method'] ) {
		if ( empty( $access['product_ids'] ) ) {
			return membermock_wc_error( 'invalid_input', 'A plan sold through products needs product_ids.', 422 );
		}
		$access['product_ids'] = array_map( 'absint', (array) $access['product_ids'] );
	} else {
		unset( $access['product_ids'] );
	}
	$length = (array) ( $input['membership_length'] ?? array() );
	$type   = $length['type'] ?? 'unlimited';
	if ( 'specific' === $type ) {
		if ( ! isset( $length['amount'], $length['period'] ) ) {
			return membermock_wc_error( 'invalid_input', 'A specific membership length needs amount and period.', 422 );
		}
		$length = array( 'type' => 'specific', 'amount' => absint( $length['amount'] ), 'period' => (string) $length['period'] );
	} elseif ( 'fixed' === $type ) {
		if ( ! isset( $length['start_date'], $length['end_date'] ) ) {
			return membermock_wc_error( 'invalid_input', 'A fixed membership length needs start_date and end_date.', 422 );
		}
		$length = array( 'type' => 'fixed', 'start_date' => membermock_wc_date( $length['start_date'] ), 'end_date' => membermock_wc_date( $length['end_date'] ) );
		if ( $length['end_date'] < $length['start_date'] ) {
			return membermock_wc_error( 'invalid_input', 'A fixed membership length must end after it starts.', 422 );
		}
	} else {
		$length = array( 'type' => 'unlimited' );
	}
	$rules = array();
	foreach ( array( 'content_restriction', 'product_restriction', 'purchasing_discount' ) as $kind ) {
		$rules[ $kind ] = array();
		foreach ( (array) ( $input['rules'][ $kind ] ?? array() ) as $rule ) {
			$rules[ $kind ][] = membermock_wc_rule( (array) $rule, $kind );
		}
	}
	$slug  = ! empty( $input['slug'] ) ? sanitize_title( $input['slug'] ) : sanitize_title( $input['name'] );
	$taken = array_column( $store['plans'], 'slug' );
	$base  = $slug;
	for ( $n = 2; in_array( $slug, $taken, true ); $n++ ) {
		$slug = "$base-$n";
	}
	$plan = array(
		'id'                => $store['next_id']++,
		'name'              => (string) $input['name'],
		'slug'              => $slug,
		'status'            => (string) ( $input['status'] ?? 'publish' ),
		'description'       => (string) ( $input['description'] ?? '' ),
		'access'            => $access,
		'membership_length' => $length,
		'rules'             => $rules,
		'_order'            => ++$store['clock'],
	);
	$store['plans'][ $plan['id'] ] = $plan;
	membermock_wc_save( $store );
	return membermock_wc_public( $plan );
}

function membermock_wc_list_plans( $store, $name, $args ) {
	$args     = array_merge( membermock_wc_defaults( $name ), $args );
	$plans    = array_values( $store['plans'] );
	$statuses = $args['post_status'] ?? 'any';
	$statuses = is_array( $statuses ) ? $statuses : array_filter( array_map( 'trim', explode( ',', (string) $statuses ) ) );
	if ( $statuses && ! in_array( 'any', $statuses, true ) ) {
		$plans = array_filter( $plans, function ( $p ) use ( $statuses ) { return in_array( $p['status'], $statuses, true ); } );
	}
	if ( ! empty( $args['post__in'] ) ) {
		$in    = array_map( 'intval', (array) $args['post__in'] );
		$plans = array_filter( $plans, function ( $p ) use ( $in ) { return in_array( $p['id'], $in, true ); } );
	}
	if ( ! empty( $args['post__not_in'] ) ) {
		$out   = array_map( 'intval', (array) $args['post__not_in'] );
		$plans = array_filter( $plans, function ( $p ) use ( $out ) { return ! in_array( $p['id'], $out, true ); } );
	}
	if ( ! empty( $args['post_name__in'] ) ) {
		$slugs = (array) $args['post_name__in'];
		$plans = array_filter( $plans, function ( $p ) use ( $slugs ) { return in_array( $p['slug'], $slugs, true ); } );
	}
	$key  = array( 'ID' => 'id', 'id' => 'id', 'title' => 'name', 'name' => 'slug' )[ (string) ( $args['orderby'] ?? 'date' ) ] ?? '_order';
	$desc = 'ASC' !== strtoupper( (string) ( $args['order'] ?? 'DESC' ) );
	usort( $plans, function ( $a, $b ) use ( $key, $desc ) {
		$c = $a[ $key ] <=> $b[ $key ] ?: $a['id'] <=> $b['id'];
		return $desc ? -$c : $c;
	} );
	$per_page = (int) ( $args['posts_per_page'] ?? -1 );
	if ( $per_page >= 0 ) {
		$offset = isset( $args['offset'] ) ? (int) $args['offset'] : ( max( 1, (int) ( $args['paged'] ?? 1 ) ) - 1 ) * $per_page;
		$plans  = array_slice( $plans, max( 0, $offset ), $per_page );
	}
	return array_values( array_map( 'membermock_wc_public', $plans ) );
}

function membermock_wc_delete_plan( $store, $id ) {
	if ( empty( $store['plans'][ $id ] ) ) {
		return membermock_wc_error( 'plan_not_found', 'Membership plan not found.', 404 );
	}
	foreach ( $store['memberships'] as $membership ) {
		if ( $membership['plan_id'] === $id && in_array( $membership['status'], array( 'active', 'complimentary', 'pending' ), true ) ) {
			return membermock_wc_error( 'plan_not_deletable', 'This membership plan still has members with access and cannot be deleted.', 409 );
		}
	}
	foreach ( $store['memberships'] as $key => $membership ) {
		if ( $membership['plan_id'] === $id ) {
			unset( $store['memberships'][ $key ] );
		}
	}
	$plan = $store['plans'][ $id ];
	unset( $store['plans'][ $id ] );
	membermock_wc_save( $store );
	return membermock_wc_public( $plan );
}

function membermock_wc_create_membership( $store, $input ) {
	$plan_id = (int) $input['plan_id'];
	$user_id = (int) $input['user_id'];
	$plan    = $store['plans'][ $plan_id ] ?? null;
	if ( ! $plan ) {
		return membermock_wc_error( 'create_failed', "Membership plan $plan_id does not exist.", 404 );
	}
	if ( ! get_userdata( $user_id ) ) {
		return membermock_wc_error( 'create_failed', "User $user_id does not exist.", 404 );
	}
	foreach ( $store['memberships'] as $membership ) {
		if ( $membership['user_id'] === $user_id && $membership['plan_id'] === $plan_id ) {
			return membermock_wc_error( 'create_failed', 'This user is already a member of this plan.', 400 );
		}
	}
	$now    = time();
	$length = $plan['membership_length'];
	$status = 'active';
	$start  = gmdate( 'c', $now );
	$end    = null;
	if ( 'specific' === $length['type'] ) {
		$end = gmdate( 'c', strtotime( '+' . (int) $length['amount'] . ' ' . $length['period'], $now ) );
	} elseif ( 'fixed' === $length['type'] ) {
		$begins = strtotime( $length['start_date'] );
		$ends   = strtotime( $length['end_date'] );
		$status = $begins > $now ? 'delayed' : ( $ends <= $now ? 'expired' : 'active' );
		$start  = gmdate( 'c', max( $begins, $now ) );
		$end    = $length['end_date'];
	}
	$membership = array(
		'id'             => $store['next_id']++,
		'plan_id'        => $plan_id,
		'user_id'        => $user_id,
		'status'         => $status,
		'start_date'     => $start,
		'end_date'       => $end,
		'cancelled_date' => null,
		'paused_date'    => null,
		'order_id'       => empty( $input['order_id'] ) ? null : absint( $input['order_id'] ),
		'product_id'     => empty( $input['product_id'] ) ? null : absint( $input['product_id'] ),
		'_order'         => ++$store['clock'],
	);
	$store['memberships'][ $membership['id'] ] = $membership;
	membermock_wc_save( $store );
	return membermock_wc_public( $membership );
}

function membermock_wc_list_memberships( $store, $name, $input ) {
	$args    = array_merge( membermock_wc_defaults( $name ), (array) $input );
	$wanted  = array_map( function ( $s ) { return 0 === strpos( $s, 'wcm-' ) ? substr( $s, 4 ) : $s; }, (array) $args['status'] );
	$user_id = (int) $args['user_id'];
	$found   = array_filter( $store['memberships'], function ( $m ) use ( $user_id, $wanted ) {
		return $m['user_id'] === $user_id && ( in_array( 'any', $wanted, true ) || in_array( $m['status'], $wanted, true ) );
	} );
	usort( $found, function ( $a, $b ) { return $b['_order'] <=> $a['_order']; } );
	return array_values( array_map( 'membermock_wc_public', $found ) );
}
