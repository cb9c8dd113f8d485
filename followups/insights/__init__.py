"""What the product learns from customers' comments: root-cause suggestions and themes."""
