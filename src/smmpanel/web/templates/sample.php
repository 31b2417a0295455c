<?php
/*
 * API v2 client for this panel — save as api.php, put your key below, and call the methods.
 * Every method sends one POST (form-encoded) to the API URL and returns the decoded JSON answer:
 * an object (stdClass) for order/status/multiStatus/services/refill/refillStatus/balance, an associative
 * array for multiRefill/multiRefillStatus/cancel. An error answer looks like {"error": "..."}.
 */

class Api
{
    /** API URL */
    public $api_url = '{{ api_url|php_string }}';

    /** Your API key (see the API page of the panel) */
    public $api_key = '';

    /** Add an order: $data holds service, link, quantity and the fields of the service's type */
    public function order($data)
    {
        $post = array_merge(['key' => $this->api_key, 'action' => 'add'], $data);
        return json_decode((string)$this->connect($post));
    }

    /** Status of one order */
    public function status($order_id)
    {
        return json_decode((string)$this->connect([
            'key' => $this->api_key,
            'action' => 'status',
            'order' => $order_id,
        ]));
    }

    /** Status of several orders (up to 100), keyed by order id */
    public function multiStatus($order_ids)
    {
        return json_decode((string)$this->connect([
            'key' => $this->api_key,
            'action' => 'status',
            'orders' => implode(',', (array)$order_ids),
        ]));
    }

    /** The service list, with your own rates */
    public function services()
    {
        return json_decode((string)$this->connect([
            'key' => $this->api_key,
            'action' => 'services',
        ]));
    }

    /** Ask for a refill of one order */
    public function refill(int $orderId)
    {
        return json_decode((string)$this->connect([
            'key' => $this->api_key,
            'action' => 'refill',
            'order' => $orderId,
        ]));
    }

    /** Ask for refills of several orders */
    public function multiRefill(array $orderIds)
    {
        return json_decode((string)$this->connect([
            'key' => $this->api_key,
            'action' => 'refill',
            'orders' => implode(',', $orderIds),
        ]), true);
    }

    /** Status of one refill */
    public function refillStatus(int $refillId)
    {
        return json_decode((string)$this->connect([
            'key' => $this->api_key,
            'action' => 'refill_status',
            'refill' => $refillId,
        ]));
    }

    /** Status of several refills */
    public function multiRefillStatus(array $refillIds)
    {
        return json_decode((string)$this->connect([
            'key' => $this->api_key,
            'action' => 'refill_status',
            'refills' => implode(',', $refillIds),
        ]), true);
    }

    /** Ask to cancel orders */
    public function cancel(array $orderIds)
    {
        return json_decode((string)$this->connect([
            'key' => $this->api_key,
            'action' => 'cancel',
            'orders' => implode(',', $orderIds),
        ]), true);
    }

    /** Your balance and currency */
    public function balance()
    {
        return json_decode((string)$this->connect([
            'key' => $this->api_key,
            'action' => 'balance',
        ]));
    }

    private function connect($post)
    {
        $fields = [];
        foreach ($post as $name => $value) {
            $fields[] = $name . '=' . urlencode((string)$value);
        }
        $ch = curl_init($this->api_url);
        curl_setopt($ch, CURLOPT_POST, 1);
        curl_setopt($ch, CURLOPT_POSTFIELDS, implode('&', $fields));
        curl_setopt($ch, CURLOPT_RETURNTRANSFER, 1);
        curl_setopt($ch, CURLOPT_FOLLOWLOCATION, true);
        curl_setopt($ch, CURLOPT_CONNECTTIMEOUT, 15);
        curl_setopt($ch, CURLOPT_TIMEOUT, 60);
        curl_setopt($ch, CURLOPT_USERAGENT, 'Mozilla/4.0 (compatible; MSIE 5.01; Windows NT 5.0)');
        $result = curl_exec($ch);
        if ($result === false) {
            $result = json_encode(['error' => 'curl: ' . curl_error($ch)]);
        }
        curl_close($ch);
        return $result;
    }
}

// Examples
$api = new Api();
$api->api_key = getenv('SMMPANEL_API_KEY') ?: '';

// $services = $api->services();
// $balance = $api->balance();
// $order = $api->order(['service' => 1, 'link' => 'https://example.com/post', 'quantity' => 100]);    // Default
// $order = $api->order(['service' => 1, 'link' => 'https://example.com/post', 'quantity' => 100, 'runs' => 2, 'interval' => 5]);  // Drip-feed
// $order = $api->order(['service' => 1, 'link' => 'https://example.com/post']);    // Package
// $order = $api->order(['service' => 1, 'link' => 'https://example.com/post', 'comments' => "good pic\ngreat photo\n:)"]);    // Custom Comments
// $order = $api->order(['service' => 1, 'link' => 'https://example.com/post', 'quantity' => 100, 'usernames' => "test\ntesting", 'hashtags' => "#goodphoto\n#love"]);  // Mentions with Hashtags
// $order = $api->order(['service' => 1, 'link' => 'https://example.com/post', 'quantity' => 100, 'answer_number' => '7']);    // Poll
// $order = $api->order(['service' => 1, 'username' => 'username', 'min' => 100, 'max' => 110, 'posts' => 0, 'old_posts' => 5, 'delay' => 30, 'expiry' => '11/11/2030']);  // Subscriptions
// $status = $api->status($order->order);
// $statuses = $api->multiStatus([1, 2, 3]);
// $refill = $api->refill(1);
// $refills = $api->multiRefill([1, 2]);
// $refillIds = array_column($refills, 'refill');
// $refillStatuses = $api->multiRefillStatus($refillIds);
// $cancel = $api->cancel([1, 2]);
