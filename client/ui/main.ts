import './share-preview.ts';
